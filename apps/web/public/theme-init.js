// Runs before the stylesheet paints: sets the dark class from the saved preference so a
// reload never flashes the wrong theme. Mirrors packages/ui/src/lib/theme.ts.
(function () {
  try {
    var prefs = JSON.parse(localStorage.getItem("parley.prefs") || "{}");
    var theme = prefs.theme === "light" || prefs.theme === "dark" ? prefs.theme : "system";
    var dark =
      theme === "dark" ||
      (theme === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
    if (dark) document.documentElement.classList.add("dark");
    if (prefs.language === "ru") document.documentElement.lang = "ru";
  } catch {
    // Storage can be unavailable; the app applies the theme once it starts.
  }
})();

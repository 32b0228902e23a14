/** Installs the app-shell service worker (built as /sw.js) once the page has loaded. */
export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error: unknown) => {
      // The app works without it; only offline start-up is lost.
      console.warn("service worker registration failed", error);
    });
  });
}

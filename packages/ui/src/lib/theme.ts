import { useEffect } from "react";
import { useAppSelector } from "../store";
import type { ThemePreference } from "../store/prefsSlice";

export function resolveTheme(
  preference: ThemePreference,
  systemPrefersDark: boolean,
): "light" | "dark" {
  if (preference === "system") return systemPrefersDark ? "dark" : "light";
  return preference;
}

/** Puts `dark` on <html> (Tailwind's dark variant keys on it) and follows the OS when asked. */
export function useApplyTheme(): void {
  const preference = useAppSelector((s) => s.prefs.theme);
  const language = useAppSelector((s) => s.prefs.language);
  useEffect(() => {
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const apply = () => {
      const theme = resolveTheme(preference, media.matches);
      document.documentElement.classList.toggle("dark", theme === "dark");
      document.documentElement.style.colorScheme = theme;
    };
    apply();
    media.addEventListener("change", apply);
    return () => media.removeEventListener("change", apply);
  }, [preference]);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
}

import { useId } from "react";
import { useT } from "../../i18n";
import { useAppDispatch, useAppSelector } from "../../store";
import {
  languageChanged,
  themeChanged,
  type Language,
  type ThemePreference,
} from "../../store/prefsSlice";

const THEMES: {
  value: ThemePreference;
  key: "settings.themeLight" | "settings.themeDark" | "settings.themeSystem";
}[] = [
  { value: "light", key: "settings.themeLight" },
  { value: "dark", key: "settings.themeDark" },
  { value: "system", key: "settings.themeSystem" },
];

const LANGUAGES: { value: Language; label: string }[] = [
  { value: "en", label: "English" },
  { value: "ru", label: "Русский" },
];

export function AppearanceSettings() {
  const t = useT();
  const dispatch = useAppDispatch();
  const theme = useAppSelector((s) => s.prefs.theme);
  const language = useAppSelector((s) => s.prefs.language);
  return (
    <div className="flex flex-col gap-6">
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-2 text-sm font-medium">{t("settings.theme")}</legend>
        <div className="flex flex-wrap gap-2">
          {THEMES.map((option) => (
            <label
              key={option.value}
              className="flex cursor-pointer items-center gap-2 rounded-lg border border-line bg-surface px-3 py-2 text-sm has-[:checked]:border-accent has-[:checked]:ring-1 has-[:checked]:ring-accent"
            >
              <input
                type="radio"
                name="theme"
                value={option.value}
                checked={theme === option.value}
                onChange={() => dispatch(themeChanged(option.value))}
              />
              {t(option.key)}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-2 text-sm font-medium">{t("settings.language")}</legend>
        <div className="flex flex-wrap gap-2">
          {LANGUAGES.map((option) => (
            <label
              key={option.value}
              lang={option.value}
              className="flex cursor-pointer items-center gap-2 rounded-lg border border-line bg-surface px-3 py-2 text-sm has-[:checked]:border-accent has-[:checked]:ring-1 has-[:checked]:ring-accent"
            >
              <input
                type="radio"
                name="language"
                value={option.value}
                checked={language === option.value}
                onChange={() => dispatch(languageChanged(option.value))}
              />
              {option.label}
            </label>
          ))}
        </div>
      </fieldset>
    </div>
  );
}

/** Compact language and theme pickers for screens without settings (sign in). */
export function LanguageThemeQuickSwitch() {
  const t = useT();
  const dispatch = useAppDispatch();
  const theme = useAppSelector((s) => s.prefs.theme);
  const language = useAppSelector((s) => s.prefs.language);
  const languageId = useId();
  const themeId = useId();
  const select = "h-8 rounded-md border border-line bg-surface px-2 text-sm";
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={languageId} className="sr-only">
        {t("settings.language")}
      </label>
      <select
        id={languageId}
        className={select}
        value={language}
        onChange={(e) => dispatch(languageChanged(e.target.value as Language))}
      >
        {LANGUAGES.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <label htmlFor={themeId} className="sr-only">
        {t("settings.theme")}
      </label>
      <select
        id={themeId}
        className={select}
        value={theme}
        onChange={(e) => dispatch(themeChanged(e.target.value as ThemePreference))}
      >
        {THEMES.map((o) => (
          <option key={o.value} value={o.value}>
            {t(o.key)}
          </option>
        ))}
      </select>
    </div>
  );
}

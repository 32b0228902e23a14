import { createSlice, type PayloadAction } from "@reduxjs/toolkit";

export type ThemePreference = "light" | "dark" | "system";
export type Language = "en" | "ru";

/** Choices a person makes about the app itself; persisted in localStorage. */
export interface PrefsState {
  theme: ThemePreference;
  language: Language;
}

export function defaultLanguage(navigatorLanguage: string | undefined): Language {
  return navigatorLanguage?.toLowerCase().startsWith("ru") ? "ru" : "en";
}

const initialState: PrefsState = { theme: "system", language: "en" };

export const prefsSlice = createSlice({
  name: "prefs",
  initialState,
  reducers: {
    themeChanged(state, action: PayloadAction<ThemePreference>) {
      state.theme = action.payload;
    },
    languageChanged(state, action: PayloadAction<Language>) {
      state.language = action.payload;
    },
  },
});

export const { themeChanged, languageChanged } = prefsSlice.actions;

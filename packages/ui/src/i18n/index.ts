import { useCallback } from "react";
import { useAppSelector } from "../store";
import type { Language } from "../store/prefsSlice";
import { en, type MessageKey } from "./en";
import { ru } from "./ru";

export type { MessageKey };
export const dictionaries: Record<Language, Record<MessageKey, string>> = { en, ru };

/** Fills `{name}` placeholders; unknown placeholders stay visible so a mistake is noticed. */
export function translate(
  language: Language,
  key: MessageKey,
  vars?: Record<string, string | number>,
): string {
  const template = dictionaries[language][key] ?? en[key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in vars ? String(vars[name]) : match,
  );
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function useT(): Translate {
  const language = useAppSelector((s) => s.prefs.language);
  return useCallback((key, vars) => translate(language, key, vars), [language]);
}

export function useLanguage(): Language {
  return useAppSelector((s) => s.prefs.language);
}

export function formatDate(language: Language, date: Date | string | number): string {
  return new Intl.DateTimeFormat(language === "ru" ? "ru-RU" : "en-US", {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(date));
}

const localeOf = (language: Language) => (language === "ru" ? "ru-RU" : "en-US");

/** A message's time as a chat shows it: "14:05" / "2:05 PM" today, with the day before it
 * otherwise ("Nov 30, 2:05 PM"), and the year when it is not this year. */
export function formatShortTime(language: Language, date: Date, now = new Date()): string {
  const sameDay = date.toDateString() === now.toDateString();
  const sameYear = date.getFullYear() === now.getFullYear();
  return new Intl.DateTimeFormat(localeOf(language), {
    ...(sameDay ? {} : { month: "short", day: "numeric" }),
    ...(sameYear ? {} : { year: "numeric" }),
    hour: "numeric",
    minute: "2-digit",
  }).format(date);
}

/** The full date and time, for a tooltip: "Tuesday, December 1, 2026 at 2:05:09 PM". */
export function formatFullDateTime(language: Language, date: Date): string {
  return new Intl.DateTimeFormat(localeOf(language), {
    dateStyle: "full",
    timeStyle: "medium",
  }).format(date);
}

export function formatNumber(language: Language, value: number): string {
  return new Intl.NumberFormat(localeOf(language)).format(value);
}

const BYTE_UNITS = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;

/** A size as people read it: "512 bytes", "1.5 MB" / "1,5 МБ" (binary multiples, as the
 * server's limits are). */
export function formatBytes(language: Language, bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(language === "ru" ? "ru-RU" : "en-US", {
    style: "unit",
    unit: BYTE_UNITS[unit],
    unitDisplay: unit === 0 ? "long" : "short",
    maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1,
  }).format(value);
}

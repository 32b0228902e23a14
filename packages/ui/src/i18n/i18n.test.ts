import { describe, expect, it } from "vitest";
import { en } from "./en";
import { ru } from "./ru";
import { translate } from "./index";

describe("translations", () => {
  it("Russian has every English key, with the same placeholders, and nothing left untranslated", () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(ru[key]), key).toEqual(placeholders(en[key]));
      if (!["app.name", "auth.email"].includes(key)) expect(ru[key], key).not.toBe(en[key]);
    }
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "chat.branch", { index: 2, count: 3 })).toBe("Version 2 of 3");
    expect(translate("ru", "chat.branch", { index: 2, count: 3 })).toBe("Вариант 2 из 3");
    expect(translate("en", "chat.branch", { index: 2 })).toBe("Version 2 of {count}");
  });
});

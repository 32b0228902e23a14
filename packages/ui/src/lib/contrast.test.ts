import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// WCAG 2 contrast of white text on the primary button background, read from the stylesheet
// itself so a changed colour is checked too.
const css = readFileSync(new URL("../styles.css", import.meta.url), "utf8");

function variable(block: string, name: string): string {
  const section = css.slice(css.indexOf(block));
  const match = new RegExp(`--parley-${name}:\\s*(#[0-9a-f]{6})`, "i").exec(section);
  if (!match) throw new Error(`--parley-${name} not found in ${block}`);
  return match[1]!;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

const contrastWithWhite = (hex: string) => 1.05 / (luminance(hex) + 0.05);

describe("primary buttons", () => {
  for (const block of [":root {", ".dark {"]) {
    it(`keep white text at 4.5:1 or more (${block.replace(" {", "")})`, () => {
      for (const name of ["accent-solid", "accent-solid-strong", "danger-solid", "success-solid"])
        expect(contrastWithWhite(variable(block, name)), name).toBeGreaterThanOrEqual(4.5);
    });
  }
});

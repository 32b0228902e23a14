/**
 * Renders public/icons/icon.svg into the PNG sizes the PWA manifest lists, with Debian's
 * Chromium (no image library needed). Run after changing the SVG:
 *   node --import tsx apps/web/scripts/render-icons.ts
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const icons = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "public", "icons");
const svg = readFileSync(path.join(icons, "icon.svg"), "utf8");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  const render = async (file: string, size: number, padding: number, background: string) => {
    await page.setViewportSize({ width: size, height: size });
    const inner = size - 2 * padding;
    await page.setContent(
      `<body style="margin:0;background:${background}"><div style="padding:${padding}px;width:${inner}px;height:${inner}px">${svg.replace("<svg ", `<svg width="${inner}" height="${inner}" `)}</div></body>`,
    );
    await page.screenshot({
      path: path.join(icons, file),
      omitBackground: background === "transparent",
    });
  };
  await render("icon-192.png", 192, 0, "transparent");
  await render("icon-512.png", 512, 0, "transparent");
  // Maskable: the platform crops to a circle or squircle, so keep the mark in the safe zone.
  await render("icon-maskable-512.png", 512, 64, "#4f46e5");
} finally {
  await browser.close();
}

import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserMissing, useBrowserSession } from "./harness";
import { composer, lastReplyText, newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

/** The focused element's accessible label: its <label>, aria-label or placeholder. */
const focusedLabel = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    if (!el) return null;
    const label = el.labels?.[0]?.textContent;
    return label || el.getAttribute("aria-label") || el.getAttribute("placeholder") || el.tagName;
  });

const blur = (page: Page) =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

describe.skipIf(skip)("keyboard shortcuts and the command palette in the browser", () => {
  const session = useBrowserSession();

  it("new chat, search, the composer, the palette (actions and conversations), the sheet and Esc to stop, with Ctrl", async () => {
    const { context, page, problems } = await session.openPage();
    await register(page, newAccount("keys"));
    session.stack.fixture.enqueue({ reply: "Whales sing." });
    await send(page, "tell me about whales");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/c\//);
    const whalesPath = new URL(page.url()).pathname;

    // Ctrl+Shift+O: a new chat, the message box ready for typing.
    await page.keyboard.press("Control+Shift+O");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/");
    await expect.poll(() => focusedLabel(page)).toBe("Message");

    // Ctrl+K: the palette; a conversation found by its title, opened with Enter.
    await page.keyboard.press("Control+K");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.waitFor();
    const input = palette.getByRole("combobox");
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await input.getAttribute("placeholder")).toBe("Type a command or a conversation…");
    const newChat = palette.getByRole("option", { name: "New chat Ctrl Shift O", exact: true });
    await newChat.waitFor();
    // Found by what was said in it (the server's search), whatever its title became.
    await input.fill("whales");
    const whalesId = whalesPath.split("/").pop()!;
    await palette.locator(`[cmdk-item][data-value="conversation:${whalesId}"]`).waitFor();
    expect(await newChat.count()).toBe(0);
    await expect
      .poll(() => palette.locator("[cmdk-item][aria-selected=true]").getAttribute("data-value"))
      .toBe(`conversation:${whalesId}`);
    await page.keyboard.press("Enter");
    await palette.waitFor({ state: "hidden" });
    await expect.poll(() => new URL(page.url()).pathname).toBe(whalesPath);
    await expect.poll(() => lastReplyText(page)).toBe("Whales sing.");

    // An action from the palette, picked with the arrow keys: the dark theme.
    await page.keyboard.press("Control+K");
    await palette.waitFor();
    await input.fill("theme");
    await palette.getByRole("option", { name: "Switch to the dark theme" }).waitFor();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Enter");
    await palette.waitFor({ state: "hidden" });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.classList.contains("dark")))
      .toBe(true);
    // Esc closes the palette and changes nothing else.
    await page.keyboard.press("Control+K");
    await palette.waitFor();
    await page.keyboard.press("Escape");
    await palette.waitFor({ state: "hidden" });

    // Ctrl+Shift+F: the sidebar's search box.
    await page.keyboard.press("Control+Shift+F");
    await expect.poll(() => focusedLabel(page)).toBe("Search conversations");
    // Shift+Esc: back to the message box.
    await page.keyboard.press("Shift+Escape");
    await expect.poll(() => focusedLabel(page)).toBe("Message");

    // "?" outside a text field: the sheet, with this platform's keys.
    await composer(page).fill("?");
    expect(await composer(page).inputValue()).toBe("?");
    await composer(page).fill("");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await blur(page);
    await page.keyboard.press("?");
    const sheet = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await sheet.waitFor();
    const rowKeys = async (label: string) =>
      await sheet
        .locator("div", { has: page.getByText(label, { exact: true }) })
        .last()
        .locator("kbd")
        .allTextContents();
    expect(await rowKeys("Open the command palette")).toEqual(["Ctrl", "K"]);
    expect(await rowKeys("New chat")).toEqual(["Ctrl", "Shift", "O"]);
    expect(await rowKeys("Stop the reply")).toEqual(["Esc"]);
    await page.keyboard.press("Escape");
    await sheet.waitFor({ state: "hidden" });

    // Esc while a reply streams stops it, and the partial text is kept.
    await send(page, "[[fixture words=300 delay=40]]");
    await expect.poll(async () => (await lastReplyText(page)).length).toBeGreaterThan(20);
    await page.keyboard.press("Escape");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("stopped");
    expect((await lastReplyText(page)).split(" ").length).toBeLessThan(300);

    expect(problems.errors).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
    await context.close();
  });

  it("on a phone in Russian the search shortcut opens the drawer; on a Mac the keys are ⌘", async () => {
    const phone = await session.openPage({ viewport: { width: 390, height: 844 } });
    await register(phone.page, newAccount("phonekeys"));
    await phone.page.evaluate(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "light", language: "ru" })),
    );
    await phone.page.reload();
    await phone.page.getByLabel("Сообщение", { exact: true }).waitFor();
    await blur(phone.page);

    await phone.page.keyboard.press("Control+Shift+F");
    await phone.page.locator('aside[data-open="true"]').waitFor();
    await expect.poll(() => focusedLabel(phone.page)).toBe("Поиск по беседам");
    await phone.page.keyboard.press("Escape");
    await phone.page.locator('aside[data-open="false"]').waitFor();

    await phone.page.keyboard.press("Control+K");
    const palette = phone.page.getByRole("dialog", { name: "Палитра команд" });
    await palette.waitFor();
    await palette.getByPlaceholder("Введите команду или название беседы…").waitFor();
    await palette.getByRole("option", { name: "Показать сочетания клавиш" }).click();
    const sheet = phone.page.getByRole("dialog", { name: "Сочетания клавиш" });
    await sheet.waitFor();
    const box = (await sheet.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await sheet.getByRole("button", { name: "Закрыть" }).click();
    await sheet.waitFor({ state: "hidden" });
    expect(phone.problems.errors).toEqual([]);
    await phone.context.close();

    // A Mac: ⌘ in place of Ctrl, and Ctrl+K is not the palette there.
    const mac = await session.openPage({ colorScheme: "dark" });
    await mac.context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "platform", { get: () => "MacIntel" });
      Object.defineProperty(Navigator.prototype, "userAgentData", { get: () => undefined });
    });
    await register(mac.page, newAccount("mackeys"));
    await mac.page.keyboard.press("Control+K");
    await mac.page.waitForTimeout(200);
    expect(await mac.page.getByRole("dialog").count()).toBe(0);
    await mac.page.keyboard.press("Meta+K");
    const macPalette = mac.page.getByRole("dialog", { name: "Command palette" });
    await macPalette.waitFor();
    expect(
      await macPalette
        .getByRole("option", { name: /New chat/ })
        .locator("kbd")
        .allTextContents(),
    ).toEqual(["⇧", "⌘", "O"]);
    await mac.page.keyboard.press("Escape");
    await macPalette.waitFor({ state: "hidden" });
    await blur(mac.page);
    await mac.page.keyboard.press("Meta+Slash");
    const macSheet = mac.page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await macSheet.waitFor();
    expect(await macSheet.locator("kbd").allTextContents()).toContain("⌘");
    expect(await macSheet.locator("kbd").allTextContents()).not.toContain("Ctrl");
    expect(mac.problems.errors).toEqual([]);
    await mac.context.close();
  });
});

import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, openSidebar, register, replies, send } from "./steps";

const skip = browserMissing();
const phone = { viewport: { width: 390, height: 844 } };

const tabs = (page: Page) => page.getByTestId("settings-tabs");
const cue = (page: Page, side: "before" | "after") =>
  page.getByTestId(`settings-tabs-more-${side}`);

describe.skipIf(skip)("the phone layout", () => {
  const session = useBrowserSession();

  it("keeps the chat title readable beside the model picker; settings have a titled bar with Back and tabs that show they scroll", async () => {
    const { context, page, problems } = await session.openPage(phone);
    await register(page, newAccount("phone"));
    const title = "Whale songs and their use";
    session.stack.fixture.enqueue({ reply: "They talk." });
    session.stack.fixture.enqueue({ reply: title });
    await send(page, "why do whales sing?");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    const heading = page.getByRole("heading", { level: 1 });
    await expect.poll(() => heading.textContent()).toBe(title);
    const chatPath = new URL(page.url()).pathname;

    // The whole title shows (no ellipsis), and the picker is on screen and works.
    const fits = await heading.evaluate((el) => el.scrollWidth <= el.clientWidth);
    expect(fits).toBe(true);
    expect((await heading.boundingBox())!.width).toBeGreaterThan(200);
    const picker = page.getByLabel("Model");
    const pickerBox = (await picker.boundingBox())!;
    expect(pickerBox.x).toBeGreaterThanOrEqual(0);
    expect(pickerBox.x + pickerBox.width).toBeLessThanOrEqual(390);
    expect(pickerBox.width).toBeGreaterThan(150);
    await picker.selectOption("fixture-large");
    await expect.poll(() => picker.inputValue()).toBe("fixture-large");

    // Settings: a bar with Back and the title; the tabs run off the right edge, and say so.
    await openSidebar(page);
    await page.getByRole("link", { name: /^Settings/ }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/settings/profile");
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    expect(await page.getByRole("heading", { level: 1 }).count()).toBe(1);
    await cue(page, "after").waitFor();
    expect(await cue(page, "before").count()).toBe(0);
    expect(await tabs(page).evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    // At the far end the cue moves to the other side.
    await tabs(page).evaluate((el) => {
      el.scrollLeft = el.scrollWidth;
    });
    await cue(page, "before").waitFor();
    await cue(page, "after").waitFor({ state: "detached" });
    // The arrow scrolls back.
    await cue(page, "before").click();
    await expect
      .poll(() => tabs(page).evaluate((el) => el.scrollLeft))
      .toBeLessThan(await tabs(page).evaluate((el) => el.scrollWidth - el.clientWidth));

    // A tab past the edge, opened by its address, is scrolled into view.
    await page.goto("/settings/data");
    const current = tabs(page).locator('[aria-current="page"]');
    await expect.poll(() => current.textContent()).toBe("Your data");
    await expect
      .poll(async () => {
        const box = (await current.boundingBox())!;
        return box.x >= 0 && box.x + box.width <= 390;
      })
      .toBe(true);

    // From the keyboard: Back is a button with a name, and takes one to the chat.
    const back = page.getByRole("button", { name: "Back to chat" });
    await back.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/");
    // After a full load there is no chat to return to: a new one. From a chat, that chat:
    await page.goto(chatPath);
    await expect.poll(() => heading.textContent()).toBe(title);
    await openSidebar(page);
    await page.getByRole("link", { name: /^Settings/ }).click();
    await page.getByRole("button", { name: "Back to chat" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(chatPath);

    // Russian and dark: the bar's title translated, the cue faded into the dark background.
    const dark = await session.openPage({ ...phone, colorScheme: "dark" });
    await dark.context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await dark.context.addCookies(await context.cookies());
    await dark.page.goto("/settings/profile");
    await dark.page.getByRole("heading", { name: "Настройки", level: 1 }).waitFor();
    await dark.page.getByRole("button", { name: "Назад к чату" }).waitFor();
    await cue(dark.page, "after").waitFor();
    const [background, fade] = await cue(dark.page, "after").evaluate((el) => [
      getComputedStyle(document.body).backgroundColor,
      getComputedStyle(el).backgroundImage,
    ]);
    expect(fade).toContain(background!.replace(/\s/g, "").replace(/,/g, ", "));
    expect(await cue(dark.page, "after").getAttribute("title")).toBe("Ещё вкладки");

    expect(problems.errors).toEqual([]);
    expect(dark.problems.errors).toEqual([]);
    await dark.context.close();
    await context.close();
  });
});

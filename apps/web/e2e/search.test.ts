import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, openSidebar, register, replies, send, userMessages } from "./steps";

const skip = browserMissing();

async function sendAndFinish(page: Page, text: string) {
  await send(page, text);
  await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
}

async function newChat(page: Page, label: string) {
  await openSidebar(page);
  await page.getByRole("button", { name: label, exact: true }).click();
}

describe.skipIf(skip)("search in the browser", () => {
  const session = useBrowserSession();

  it("finds stemmed English and Russian words, marks them in snippets, shows archived results marked, and never runs snippet HTML (light, desktop)", async () => {
    const { context, page, problems } = await session.openPage({
      colorScheme: "light",
      viewport: { width: 1280, height: 800 },
    });
    await register(page, newAccount("search"));
    await sendAndFinish(page, "Yesterday the children were running through the orchard");
    await newChat(page, "New chat");
    await sendAndFinish(
      page,
      'Вчера дети играли с кошками <img src=x onerror="window.__parleyXss()"> во дворе',
    );
    // Archive the Russian one from the sidebar.
    const list = page.getByTestId("conversation-list");
    await expect.poll(() => list.locator("li").count()).toBe(2);
    await list.locator("li").first().getByRole("button").click();
    await page.getByRole("menuitem", { name: "Archive" }).click();
    await expect.poll(() => list.locator("li").count()).toBe(1);

    const box = page.getByRole("searchbox", { name: "Search conversations" });
    const results = page.getByTestId("search-result");
    await box.fill("runs");
    await expect.poll(() => results.count()).toBe(1);
    await expect
      .poll(() => results.first().getByTestId("search-snippet").locator("mark").allTextContents())
      .toEqual(["running"]);
    expect(await results.first().getByTestId("archived-badge").count()).toBe(0);

    await box.fill("кошки");
    await expect
      .poll(() => results.first().getByTestId("search-snippet").locator("mark").allTextContents())
      .toEqual(["кошками"]);
    await results.first().getByTestId("archived-badge").getByText("Archived").waitFor();
    // The message's markup is shown as text: no element was made from it.
    const snippet = results.first().getByTestId("search-snippet");
    expect(await snippet.textContent()).toContain("<img");
    expect(await page.getByTestId("search-results").locator("img").count()).toBe(0);
    // The highlight stays readable: the mark has its own background.
    const background = await snippet
      .locator("mark")
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).not.toBe("rgba(0, 0, 0, 0)");

    await box.fill("nowhere");
    await page.getByText("Nothing found").waitFor();
    await box.fill("");
    await expect.poll(() => list.locator("li").count()).toBe(1);
    expect(await problems.xssFired()).toBe(false);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("searches from the keyboard in Russian at phone width in the dark theme", async () => {
    const { context, page, problems } = await session.openPage({
      colorScheme: "dark",
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await register(page, newAccount("searchru"));
    await sendAndFinish(page, "Кошки любят играть с клубком");
    await newChat(page, "New chat");
    await sendAndFinish(page, "Something unrelated entirely");
    await page.goto("/settings/appearance");
    await page.getByLabel("Русский").check();
    await page.goto("/");
    await page.getByRole("button", { name: "Открыть список бесед" }).click();
    const box = page.getByRole("searchbox", { name: "Поиск по беседам" });
    await box.focus();
    await page.keyboard.type("кошками");
    const results = page.getByTestId("search-result");
    await expect.poll(() => results.count()).toBe(1);
    await page.getByRole("heading", { name: "Результаты" }).waitFor();
    await expect.poll(() => results.first().locator("mark").allTextContents()).toContain("Кошки");
    // Tab reaches the result; Enter opens it and the drawer closes.
    await page.keyboard.press("Tab");
    expect(await results.first().evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    await userMessages(page).first().getByText("Кошки любят играть с клубком").waitFor();
    await page.locator('aside[data-open="false"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(
      true,
    );
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});

if (skip) {
  it.skip(`search in the browser: skipped because ${skip}`, () => {});
}

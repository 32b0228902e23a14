import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { browserMissing, useBrowserSession } from "./harness";
import { lastReplyText, newAccount, register, replies, send, userMessages } from "./steps";

const skip = browserMissing();
// Far from UTC, so a time shown in UTC (or the server's zone) instead of the reader's fails.
const timeZone = "Asia/Tokyo";

/** What the page should show for a time, computed here from the server's createdAt. */
function expectedShort(locale: string, date: Date, now = new Date()): string {
  const day = (d: Date) => new Intl.DateTimeFormat("en-CA", { timeZone }).format(d);
  const year = (d: Date) => new Intl.DateTimeFormat("en", { timeZone, year: "numeric" }).format(d);
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    ...(day(date) === day(now) ? {} : { month: "short", day: "numeric" }),
    ...(year(date) === year(now) ? {} : { year: "numeric" }),
    hour: "numeric",
    minute: "2-digit",
  }).format(date);
}

const expectedFull = (locale: string, date: Date) =>
  new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "full", timeStyle: "medium" }).format(
    date,
  );

describe.skipIf(skip)("message times and token usage in the browser", () => {
  const session = useBrowserSession();

  /** The stored row of the message an article shows. */
  async function storedMessage(article: Locator) {
    const id = await article.getAttribute("data-message-id");
    const row = await session.stack.server.deps.db.prisma.message.findFirst({
      where: { id: id! },
      select: {
        createdAt: true,
        promptTokens: true,
        completionTokens: true,
        usageEstimated: true,
        status: true,
      },
    });
    expect(row, `message ${id} is stored`).toBeTruthy();
    return row!;
  }

  async function expectTime(page: Page, article: Locator, locale: string) {
    const { createdAt } = await storedMessage(article);
    const time = article.getByTestId("message-time");
    expect(await time.getAttribute("datetime")).toBe(createdAt.toISOString());
    expect(await time.textContent()).toBe(expectedShort(locale, createdAt));
    expect(await time.getAttribute("title")).toBe(expectedFull(locale, createdAt));
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(
      timeZone,
    );
  }

  it("shows each message's time in the reader's zone and the labelled usage, estimated when counted by Parley", async () => {
    const phone = { viewport: { width: 390, height: 844 }, timezoneId: timeZone };
    const { context, page, problems } = await session.openPage(phone);
    await register(page, newAccount("times"));

    await send(page, "what time is it?");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    const question = userMessages(page).last();
    const answer = replies(page).last();
    await expectTime(page, question, "en-US");
    await expectTime(page, answer, "en-US");
    // The provider reported usage: shown with its labels, not marked estimated.
    const reported = await storedMessage(answer);
    expect(reported.usageEstimated).toBe(false);
    expect(reported.completionTokens).toBeGreaterThan(0);
    const usage = answer.getByTestId("message-usage");
    expect(await usage.textContent()).toBe(
      `· ${reported.promptTokens} prompt + ${reported.completionTokens} completion tokens`,
    );
    expect(await usage.getAttribute("title")).toBeNull();

    // A stopped reply never gets the provider's usage: Parley's count, marked estimated.
    await send(page, "[[fixture words=300 delay=40]]");
    await expect.poll(async () => (await lastReplyText(page)).length).toBeGreaterThan(20);
    await page.getByRole("button", { name: "Stop" }).click();
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("stopped");
    const stopped = replies(page).last();
    const counted = await storedMessage(stopped);
    expect(counted.status).toBe("stopped");
    expect(counted.usageEstimated).toBe(true);
    expect(counted.completionTokens).toBeGreaterThan(0);
    const estimate = stopped.getByTestId("message-usage");
    await expect
      .poll(() => estimate.textContent())
      .toBe(
        `· ${counted.promptTokens} prompt + ${counted.completionTokens} completion tokens (estimated)`,
      );
    expect(await estimate.getAttribute("title")).toBe(
      "Counted by Parley: the model provider reported no usage for this reply",
    );
    await expectTime(page, stopped, "en-US");
    // The meta line fits a phone's width.
    const box = (await stopped.getByTestId("message-usage").boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);

    // Russian and dark: the same times in Russian (24-hour), the usage line translated.
    const ru = await session.openPage({ ...phone, colorScheme: "dark" });
    await ru.context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await ru.context.addCookies(await context.cookies());
    await ru.page.goto(page.url());
    await expect.poll(() => replies(ru.page).count()).toBe(2);
    expect(await ru.page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(
      true,
    );
    await expectTime(ru.page, userMessages(ru.page).first(), "ru-RU");
    await expectTime(ru.page, replies(ru.page).last(), "ru-RU");
    expect(await replies(ru.page).first().getByTestId("message-usage").textContent()).toBe(
      `· токены: запрос ${reported.promptTokens}, ответ ${reported.completionTokens}`,
    );
    expect(await replies(ru.page).last().getByTestId("message-usage").textContent()).toBe(
      `· токены: запрос ${counted.promptTokens}, ответ ${counted.completionTokens} (оценка)`,
    );

    expect(problems.errors).toEqual([]);
    expect(ru.problems.errors).toEqual([]);
    await ru.context.close();
    await context.close();
  });
});

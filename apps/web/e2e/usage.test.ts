import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import type { Page } from "playwright-core";
import { newAccount, register, replies, send } from "./steps";

/** The y axis's tick colour and the page background behind it, as [r, g, b]. */
async function tickColours(page: Page) {
  return page.getByTestId("usage-axis-y").evaluate((axis) => {
    const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    let node: Element | null = axis;
    let background = "rgba(0, 0, 0, 0)";
    while (node && /rgba\(0, 0, 0, 0\)|transparent/.test(background)) {
      background = getComputedStyle(node).backgroundColor;
      node = node.parentElement;
    }
    return { text: rgb(getComputedStyle(axis).color), background: rgb(background) };
  });
}

/** WCAG contrast ratio of two sRGB colours. */
function contrast(a: number[], b: number[]): number {
  const luminance = (c: number[]) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const skip = browserMissing();

describe.skipIf(skip)("usage and quotas in the browser", () => {
  const session = useBrowserSession();

  it("a user sees their tokens and chart in Settings → Usage; an admin's quota shows there", async () => {
    const admin = await session.openPage();
    const root = newAccount("root");
    await register(admin.page, root);
    const user = await session.openPage({ viewport: { width: 390, height: 844 } });
    const bob = newAccount("bob");
    await register(user.page, bob);

    await send(user.page, "count my tokens");
    await expect.poll(() => replies(user.page).count()).toBe(1);
    await expect.poll(() => session.stack.fixture.calls.length).toBeGreaterThan(0);

    await user.page.goto("/settings/usage");
    const today = user.page.getByTestId("usage-today");
    await today.getByText("Prompt tokens").waitFor();
    await today.getByText("Completion tokens").waitFor();
    // The fixture reports usage for each reply, so today's total is no longer zero.
    await expect
      .poll(async () => (await today.locator("dd").last().textContent())?.trim())
      .not.toBe("0");
    await user.page
      .getByRole("table", { name: "This month by model" })
      .getByText("fixture-small")
      .waitFor();
    const bars = user.page.getByTestId("usage-chart").locator('rect[data-model="fixture-small"]');
    await expect.poll(() => bars.count()).toBe(1);
    await user.page.getByTestId("usage-quota").getByText("No daily limit").waitFor();

    // Axes: tokens on the left (top = the busiest day, which is today), days (UTC) below.
    const total = Number((await today.locator("dd").last().textContent())!.replace(/\D/g, ""));
    const todayIso = new Date().toISOString().slice(0, 10);
    await user.page.getByTestId("usage-axis-y-title").getByText("Tokens").waitFor();
    await user.page.getByTestId("usage-axis-x-title").getByText("Day (UTC)").waitFor();
    const compact = (locale: string, n: number) =>
      new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 }).format(n);
    const dayTick = (locale: string) =>
      new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(
        new Date(`${todayIso}T00:00:00Z`),
      );
    expect(await user.page.getByTestId("usage-axis-y").locator("li").allTextContents()).toEqual([
      compact("en-US", total),
      compact("en-US", Math.round(total / 2)),
      "0",
    ]);
    const xTicks = user.page.getByTestId("usage-axis-x").locator("time");
    expect(await xTicks.count()).toBe(3);
    expect(await xTicks.last().getAttribute("datetime")).toBe(todayIso);
    expect(await xTicks.last().textContent()).toBe(dayTick("en-US"));
    // Beside and below the bars, inside a phone's width, not over them.
    const svgBox = (await user.page.getByTestId("usage-chart").boundingBox())!;
    const yBox = (await user.page.getByTestId("usage-axis-y").boundingBox())!;
    const xBox = (await user.page.getByTestId("usage-axis-x").boundingBox())!;
    expect(yBox.x + yBox.width).toBeLessThanOrEqual(svgBox.x);
    expect(xBox.y).toBeGreaterThanOrEqual(svgBox.y + svgBox.height - 1);
    expect(xBox.x + xBox.width).toBeLessThanOrEqual(390);
    const lightTick = await tickColours(user.page);

    // Russian and dark: translated titles and ticks, in the dark theme's colours.
    const dark = await session.openPage({ colorScheme: "dark" });
    await dark.context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await dark.context.addCookies(await user.context.cookies());
    await dark.page.goto("/settings/usage");
    await dark.page.getByTestId("usage-axis-y-title").getByText("Токены").waitFor();
    await dark.page.getByTestId("usage-axis-x-title").getByText("День (UTC)").waitFor();
    expect(await dark.page.getByTestId("usage-axis-y").locator("li").first().textContent()).toBe(
      compact("ru-RU", total),
    );
    expect(await dark.page.getByTestId("usage-axis-x").locator("time").last().textContent()).toBe(
      dayTick("ru-RU"),
    );
    expect(
      await dark.page.evaluate(() => document.documentElement.classList.contains("dark")),
    ).toBe(true);
    const darkTick = await tickColours(dark.page);
    // Each theme draws the ticks in its own colour, readable on its own background.
    expect(darkTick.text).not.toBe(lightTick.text);
    for (const { text, background } of [lightTick, darkTick])
      expect(contrast(text, background)).toBeGreaterThanOrEqual(3);
    expect(dark.problems.cspViolations).toEqual([]);
    expect(dark.problems.errors).toEqual([]);
    await dark.context.close();

    await admin.page.goto("/admin");
    await admin.page.getByLabel(`Daily token limit: ${bob.username}`).fill("5000");
    await admin.page
      .getByRole("listitem")
      .filter({ hasText: bob.username })
      .getByRole("button", { name: "Save limit" })
      .click();
    await admin.page
      .getByTestId(`quota-${bob.username}`)
      .getByText("Set for this user: 5,000")
      .waitFor();

    await user.page.reload();
    await user.page
      .getByTestId("usage-quota")
      .getByText(/tokens left today/)
      .waitFor();
    expect(await user.page.getByTestId("usage-quota").textContent()).toContain("of 5,000 tokens");
    await user.page
      .getByTestId("usage-quota")
      .getByText(/^Resets /)
      .waitFor();

    expect(user.problems.cspViolations).toEqual([]);
    expect(admin.problems.cspViolations).toEqual([]);
    expect(user.problems.errors).toEqual([]);
    expect(admin.problems.errors).toEqual([]);
    await admin.context.close();
    await user.context.close();
  });
});

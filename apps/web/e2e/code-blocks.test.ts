import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

const reply = [
  "Two blocks:",
  "",
  "```typescript",
  "const answer: number = 42;",
  "```",
  "",
  "```",
  "no language here",
  "```",
].join("\n");

/** Where the label sits against its block's code and copy button, and its colours. */
const labelLayout = (page: Page) =>
  replies(page)
    .last()
    .locator(".code-lang")
    .evaluate((label) => {
      const block = label.parentElement!;
      const box = (el: Element) => el.getBoundingClientRect();
      const code = box(block.querySelector("pre code")!);
      const button = box(block.querySelector("button")!);
      const own = box(label);
      let node: Element | null = label;
      let background = "rgba(0, 0, 0, 0)";
      while (node && /rgba\(0, 0, 0, 0\)|transparent/.test(background)) {
        background = getComputedStyle(node).backgroundColor;
        node = node.parentElement;
      }
      return {
        aboveCode: own.bottom <= code.top + 1,
        clearOfButton: own.right <= button.left || own.bottom <= button.top,
        visible: own.width > 0 && own.height > 0,
        colour: getComputedStyle(label).color,
        background,
      };
    });

describe.skipIf(skip)("code blocks in the browser", () => {
  const session = useBrowserSession();

  it("label each fenced block with its language, clear of the code and the copy button, in both themes at phone width", async () => {
    const phone = { viewport: { width: 390, height: 844 } };
    const { context, page, problems } = await session.openPage(phone);
    await register(page, newAccount("code"));
    session.stack.fixture.enqueue({ reply });
    await send(page, "show me code");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    const labels = replies(page).last().locator(".code-lang");
    expect(await labels.allTextContents()).toEqual(["typescript"]);
    expect(await replies(page).last().locator("pre").count()).toBe(2);
    const light = await labelLayout(page);
    expect(light).toMatchObject({ aboveCode: true, clearOfButton: true, visible: true });

    const dark = await session.openPage({ ...phone, colorScheme: "dark" });
    await dark.context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await dark.context.addCookies(await context.cookies());
    await dark.page.goto(page.url());
    await expect.poll(() => replies(dark.page).count()).toBe(1);
    await replies(dark.page).last().locator(".code-lang").waitFor();
    const night = await labelLayout(dark.page);
    expect(night).toMatchObject({ aboveCode: true, clearOfButton: true, visible: true });
    expect(night.colour).not.toBe(light.colour);
    expect(night.background).not.toBe(light.background);
    // The copy button beside it speaks Russian there.
    await expect
      .poll(() => replies(dark.page).last().getByRole("button", { name: "Копировать код" }).count())
      .toBe(2);

    expect(problems.errors).toEqual([]);
    expect(dark.problems.errors).toEqual([]);
    await dark.context.close();
    await context.close();
  });
});

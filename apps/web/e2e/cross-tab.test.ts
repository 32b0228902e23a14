import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("tabs in the browser", () => {
  const session = useBrowserSession();

  it("a chat made, renamed or deleted in one tab shows in another tab's sidebar without a reload", async () => {
    const {
      context,
      page: first,
      problems,
    } = await session.openPage({
      viewport: { width: 1280, height: 800 },
    });
    await register(first, newAccount("tabs"));
    // A second tab of the same browser: signed in by the same refresh cookie.
    const second = await context.newPage();
    await second.goto("/");
    await second.getByLabel("Message", { exact: true }).waitFor();
    const list = second.getByTestId("conversation-list");
    await second.getByText("No conversations yet").waitFor();

    await send(first, "Plan a trip to Lisbon");
    await expect.poll(() => replies(first).last().getAttribute("data-status")).toBe("complete");
    await expect.poll(() => list.locator("li").count()).toBe(1);
    const firstTitle = await first
      .getByTestId("conversation-list")
      .locator("li a span")
      .first()
      .textContent();
    await expect.poll(() => list.locator("li a span").first().textContent()).toBe(firstTitle);

    const item = first.getByTestId("conversation-list").locator("li").first();
    await item.getByRole("button").click();
    await first.getByRole("menuitem", { name: "Rename" }).click();
    await first.getByLabel("New title").fill("Lisbon itinerary");
    await first.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => list.locator("li a span").first().textContent())
      .toBe("Lisbon itinerary");

    await item.getByRole("button").click();
    await first.getByRole("menuitem", { name: "Delete" }).click();
    await first.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => list.locator("li").count()).toBe(0);
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});

if (skip) {
  it.skip(`tabs in the browser: skipped because ${skip}`, () => {});
}

import { describe, expect, it } from "vitest";
import { browserMissing, openPage, useBrowserSession } from "./harness";
import { newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

/**
 * The unexplained sign-out after relaunching the browser (issue 17): the refresh was refused
 * with 401. The causes it can have, each checked here over plain HTTP on an address that is
 * not `localhost` (as a self-hosted instance is opened): a refresh cookie marked Secure is
 * never sent back over HTTP; one without Max-Age dies with the browser; and the tabs a
 * relaunched browser restores refresh at the same moment with the same token, which without
 * a grace would look like a stolen token and end the session.
 */
describe.skipIf(skip)("relaunching the browser", () => {
  const session = useBrowserSession();

  it("keeps the user signed in, in every restored tab at once, over plain HTTP", async () => {
    expect(new URL(session.stack.baseUrl).hostname).not.toBe("localhost");
    const before = await session.openPage({ viewport: { width: 1280, height: 800 } });
    await register(before.page, newAccount("relaunch"));
    await send(before.page, "Remember me [[fixture words=3]]");
    await expect
      .poll(() => replies(before.page).last().getAttribute("data-status"))
      .toBe("complete");
    const chatUrl = before.page.url();

    const cookie = (await before.context.cookies()).find((c) => c.name === "parley_refresh");
    expect(cookie).toBeDefined();
    expect(cookie!.secure).toBe(false);
    expect(cookie!.httpOnly).toBe(true);
    // Persistent: a cookie without an expiry is dropped when the browser quits.
    expect(cookie!.expires * 1000).toBeGreaterThan(Date.now() + 7 * 24 * 3600 * 1000);

    // The browser quits; what it keeps on disk is what storageState holds.
    const kept = await before.context.storageState();
    await before.context.close();

    const after = await openPage(session.browser, session.stack.baseUrl, {
      storageState: kept,
      viewport: { width: 1280, height: 800 },
    });
    const second = await after.context.newPage();
    // Two restored tabs load together, each refreshing with the one token the cookie holds.
    await Promise.all([after.page.goto(chatUrl), second.goto("/")]);
    for (const tab of [after.page, second]) {
      await tab.getByLabel("Message", { exact: true }).waitFor();
      await tab.getByTestId("conversation-list").locator("li").first().waitFor();
    }
    await expect.poll(() => replies(after.page).last().textContent()).toContain("w3");

    // And the session lives on: another reload in each tab, with the rotated token.
    for (const tab of [after.page, second]) {
      await tab.reload();
      await tab.getByLabel("Message", { exact: true }).waitFor();
    }
    expect(after.problems.errors).toEqual([]);
    await after.context.close();
  });
});

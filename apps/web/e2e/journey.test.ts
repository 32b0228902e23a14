import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserMissing, useBrowserSession } from "./harness";
import {
  closeSidebar,
  composer,
  lastReplyText,
  newAccount,
  numberedWordsIn,
  openSidebar,
  register,
  replies,
  send,
  signIn,
  userMessages,
} from "./steps";

const skip = browserMissing();

// Fixture markers script the model: 120 numbered words, one every 70 ms (about 8 seconds).
const SLOW_REPLY = "[[fixture words=120 delay=70]]";

describe.skipIf(skip)("the whole journey in a real browser", () => {
  const session = useBrowserSession();

  for (const viewport of [
    { name: "desktop", width: 1280, height: 800 },
    { name: "phone", width: 390, height: 844 },
  ]) {
    it(`register → send → stream → reload mid-reply → stop → regenerate → edit → search → export → change password → sign out (${viewport.name} ${viewport.width}×${viewport.height})`, async () => {
      const { context, page, problems } = await session.openPage({
        viewport: { width: viewport.width, height: viewport.height },
        isMobile: viewport.name === "phone",
        hasTouch: viewport.name === "phone",
      });
      const streamRequests: string[] = [];
      page.on("request", (request) => {
        if (request.url().includes("/trpc/chat.stream"))
          streamRequests.push(decodeURIComponent(request.url()));
      });
      const account = newAccount(viewport.name);
      await register(page, account);

      // A first conversation, to be told apart from by search later.
      await send(page, "Tell me about Zanzibar spices");
      await expect.poll(() => replies(page).first().getAttribute("data-status")).toBe("complete");
      await openSidebar(page);
      await page.getByRole("button", { name: "New chat", exact: true }).click();
      await closeSidebar(page);

      // Shift+Enter breaks the line, Enter sends.
      await composer(page).fill("Count for me");
      await composer(page).press("Shift+Enter");
      await composer(page).type(`slowly ${SLOW_REPLY}`);
      expect(await composer(page).inputValue()).toBe(`Count for me\nslowly ${SLOW_REPLY}`);
      await composer(page).press("Enter");
      await expect.poll(() => page.url()).toMatch(/\/c\/[0-9a-f-]{36}$/);
      await expect.poll(() => composer(page).inputValue()).toBe("");

      // The reply streams in: the text grows while the message is still streaming.
      const reply = replies(page).last();
      await expect
        .poll(async () => numberedWordsIn(await lastReplyText(page)).length, { timeout: 15_000 })
        .toBeGreaterThanOrEqual(5);
      expect(await reply.getAttribute("data-status")).toBe("streaming");
      const early = numberedWordsIn(await lastReplyText(page)).length;
      await expect
        .poll(async () => numberedWordsIn(await lastReplyText(page)).length)
        .toBeGreaterThan(early + 3);

      // Reload mid-reply: the page comes back, resumes the stream after its last event id
      // and continues the text with no gap and no repeat.
      const beforeReload = numberedWordsIn(await lastReplyText(page)).length;
      expect(beforeReload).toBeLessThan(120);
      streamRequests.length = 0;
      await page.reload();
      await replies(page).last().waitFor();
      await expect
        .poll(async () => numberedWordsIn(await lastReplyText(page)).length, { timeout: 15_000 })
        .toBeGreaterThan(beforeReload + 3);
      expect(await replies(page).last().getAttribute("data-status")).toBe("streaming");
      expect(streamRequests.some((url) => /"lastEventId":"\d+/.test(url))).toBe(true);

      // Stop: the partial text stays, marked as stopped.
      await page.getByRole("button", { name: "Stop" }).click();
      await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("stopped");
      await page.getByText("Stopped", { exact: true }).waitFor();
      const stoppedWords = numberedWordsIn(await lastReplyText(page)).length;
      expect(stoppedWords).toBeGreaterThan(beforeReload);
      expect(stoppedWords).toBeLessThan(120);

      // Regenerate: a second version of the reply, with a switcher between the two.
      await replies(page).last().getByRole("button", { name: "Regenerate" }).click();
      await expect
        .poll(() => replies(page).last().getAttribute("data-status"), { timeout: 20_000 })
        .toBe("complete");
      expect(numberedWordsIn(await lastReplyText(page))).toHaveLength(120);
      const replySwitcher = replies(page).last().getByRole("group", { name: "Version 2 of 2" });
      await replySwitcher.waitFor();
      await replySwitcher.getByRole("button", { name: "Previous version" }).click();
      await replies(page).last().getByRole("group", { name: "Version 1 of 2" }).waitFor();
      expect(numberedWordsIn(await lastReplyText(page))).toHaveLength(stoppedWords);
      await replies(page).last().getByRole("button", { name: "Next version" }).click();
      await replies(page).last().getByRole("group", { name: "Version 2 of 2" }).waitFor();

      // Edit the question: a new branch with its own reply; the old question stays reachable.
      await userMessages(page).last().getByRole("button", { name: "Edit" }).click();
      await page.getByLabel("Edit message").fill("Just the answer [[fixture reply=Forty-two.]]");
      await page.getByRole("button", { name: "Save & send" }).click();
      await expect.poll(() => lastReplyText(page)).toBe("Forty-two.");
      await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
      const questionSwitcher = userMessages(page)
        .last()
        .getByRole("group", { name: "Version 2 of 2" });
      await questionSwitcher.getByRole("button", { name: "Previous version" }).click();
      await userMessages(page).last().getByText("slowly").waitFor();
      await expect.poll(async () => numberedWordsIn(await lastReplyText(page)).length).toBe(120);
      await userMessages(page).last().getByRole("button", { name: "Next version" }).click();
      await expect.poll(() => lastReplyText(page)).toBe("Forty-two.");

      // The composer draft survives a reload.
      await composer(page).fill("a thought to finish later");
      await page.reload();
      await expect.poll(() => composer(page).inputValue()).toBe("a thought to finish later");

      // Search finds the first conversation by a word that occurs only in its message.
      await openSidebar(page);
      const list = page.getByTestId("conversation-list");
      await expect.poll(() => list.locator("li").count()).toBe(2);
      await page.getByRole("searchbox", { name: "Search conversations" }).fill("zanzibar");
      const results = page.getByTestId("search-result");
      await expect.poll(() => results.count()).toBe(1);
      await results.first().click();
      await closeSidebar(page);
      await userMessages(page).first().getByText("Tell me about Zanzibar spices").waitFor();
      await page.goBack();
      await expect.poll(() => lastReplyText(page)).toBe("Forty-two.");

      // Export the conversation as Markdown and as JSON.
      const markdown = await download(page, "Export as Markdown");
      expect(markdown.name).toMatch(/\.md$/);
      expect(markdown.text).toContain("Forty-two.");
      expect(markdown.text).toContain("Just the answer");
      const json = JSON.parse((await download(page, "Export as JSON")).text) as {
        messages: { role: string; content: string }[];
      };
      expect(json.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
      expect(json.messages[1]?.content).toBe("Forty-two.");

      // Change the password, sign out, and only the new password works.
      await openSidebar(page);
      await page.getByRole("link", { name: /Settings/ }).click();
      await page.getByRole("link", { name: "Password" }).click();
      await page.getByLabel("Current password").fill(account.password);
      await page.getByLabel("New password").fill("an even better passphrase");
      await page.getByRole("button", { name: "Change password" }).click();
      await page.getByText("Password changed. Other sessions were signed out.").waitFor();
      await openSidebar(page);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();
      await signIn(page, account.username, account.password);
      await page.getByRole("alert").first().waitFor();
      await signIn(page, account.email, "an even better passphrase");
      await composer(page).waitFor();
      // Signing out on purpose left no draft or search behind.
      expect(await composer(page).inputValue()).toBe("");
      await openSidebar(page);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();

      expect(problems.cspViolations).toEqual([]);
      expect(problems.errors).toEqual([]);
      await context.close();
    });
  }
});

async function download(page: Page, item: string): Promise<{ name: string; text: string }> {
  await page.getByRole("button", { name: "Export" }).click();
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("menuitem", { name: item }).click(),
  ]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(path, "utf8") };
}

if (skip) {
  // Visible in the report as skipped, with the reason; never a green pass.
  it.skip(`browser journey: skipped because ${skip}`, () => {});
}

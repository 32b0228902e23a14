import { signIn } from "@parley/client";
import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import {
  composer,
  lastReplyText,
  newAccount,
  numberedWordsIn,
  register,
  replies,
  send,
  userMessages,
} from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("chat details in the browser", () => {
  const session = useBrowserSession();

  it("keeps streaming through a lost network: the reply resumes with no gap and no repeat", async () => {
    const { context, page, problems } = await session.openPage();
    await register(page, newAccount("offline"));
    await send(page, "[[fixture words=100 delay=60]]");
    await expect
      .poll(async () => numberedWordsIn(await lastReplyText(page)).length)
      .toBeGreaterThanOrEqual(10);
    await context.setOffline(true);
    const cut = numberedWordsIn(await lastReplyText(page)).length;
    // Offline long enough for several words to be written on the server meanwhile.
    await page.waitForTimeout(1_500);
    await context.setOffline(false);
    await expect
      .poll(() => replies(page).last().getAttribute("data-status"), { timeout: 30_000 })
      .toBe("complete");
    const words = numberedWordsIn(await lastReplyText(page));
    expect(words).toHaveLength(100);
    expect(cut).toBeLessThan(100);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("shows a model failure inline with Retry, and the retry answers", async () => {
    const { context, page } = await session.openPage();
    await register(page, newAccount("failure"));
    session.stack.fixture.enqueue({ fail: "500" });
    await send(page, "this one fails");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("error");
    const alert = replies(page).last().getByRole("alert");
    await alert.waitFor();
    // The user's message is kept.
    await userMessages(page).last().getByText("this one fails").waitFor();
    session.stack.fixture.enqueue({ reply: "Second time lucky." });
    await alert.getByRole("button", { name: "Retry" }).click();
    await expect.poll(() => lastReplyText(page)).toBe("Second time lucky.");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    await context.close();
  });

  it("uses the model and system prompt picked for the conversation", async () => {
    const { context, page } = await session.openPage();
    await register(page, newAccount("settings"));
    await page.getByLabel("Model").selectOption("fixture-large");
    session.stack.fixture.reset();
    await send(page, "which model are you?");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    expect(session.stack.fixture.calls[0]?.model).toBe("fixture-large");
    await replies(page).last().getByText("fixture-large").waitFor();

    await page.getByRole("button", { name: "Conversation settings" }).click();
    await page
      .getByRole("dialog")
      .getByLabel(/^System prompt/)
      .fill("Answer like a pirate.");
    await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    session.stack.fixture.reset();
    await send(page, "and now?");
    // A send in an existing conversation empties its draft, and a reload does not bring it back.
    await expect.poll(() => composer(page).inputValue()).toBe("");
    await expect.poll(() => replies(page).count()).toBe(2);
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    const call = session.stack.fixture.calls.find((c) => c.messages.at(-1)?.content === "and now?");
    expect(call?.messages[0]).toEqual({ role: "system", content: "Answer like a pirate." });
    expect(call?.model).toBe("fixture-large");
    await page.reload();
    await replies(page).last().waitFor();
    expect(await composer(page).inputValue()).toBe("");
    await context.close();
  });

  it("opens a long conversation at its newest page and loads older messages on demand", async () => {
    const { context, page } = await session.openPage();
    const account = newAccount("paging");
    await register(page, account);
    const { client } = await signIn(session.stack.baseUrl, {
      login: account.username,
      password: account.password,
    });
    const { id: conversationId } = await client.chat.conversations.create.mutate({});
    // 30 exchanges: 60 messages, more than the first page of 50.
    for (let i = 0; i < 30; i++) {
      await client.chat.send.mutate({
        conversationId,
        content: `question ${i}`,
        clientMessageId: `paging-${i}`,
      });
      await expect
        .poll(async () => {
          const page = await client.chat.messages.list.query({ conversationId, limit: 1 });
          return page.items[0]?.status;
        })
        .toBe("complete");
    }
    await page.goto(`/c/${conversationId}`);
    await userMessages(page).getByText("question 29", { exact: true }).waitFor();
    await expect.poll(() => userMessages(page).count()).toBe(25);
    await expect(userMessages(page).getByText("question 0", { exact: true }).count()).resolves.toBe(
      0,
    );
    await page.getByRole("button", { name: "Load more" }).click();
    await userMessages(page).getByText("question 0", { exact: true }).waitFor();
    await expect.poll(() => userMessages(page).count()).toBe(30);
    await expect(page.getByRole("button", { name: "Load more" }).count()).resolves.toBe(0);
    await context.close();
  });

  it("manages conversations from the sidebar: rename, pin, archive, delete with confirmation, infinite scroll", async () => {
    const { context, page } = await session.openPage({
      viewport: { width: 1280, height: 800 },
    });
    await register(page, newAccount("sidebar"));
    // Many conversations at once through the API, with a key made in the app.
    await page.goto("/settings/apiKeys");
    await page.getByLabel("Key name").fill("seed");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("api-key-secret").textContent())?.trim() ?? "";
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    for (let i = 1; i <= 35; i++) {
      const response = await fetch(`${session.stack.baseUrl}/trpc/chat.conversations.create`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ json: { title: `Topic ${String(i).padStart(2, "0")}` } }),
      });
      expect(response.status).toBe(200);
    }
    await page.goto("/");
    const list = page.getByTestId("conversation-list");
    await expect.poll(() => list.locator("li").count()).toBe(30);
    await list.locator("li").last().scrollIntoViewIfNeeded();
    await expect.poll(() => list.locator("li").count()).toBe(35);

    const item = (title: string) => page.getByRole("button", { name: `Actions for ${title}` });
    await item("Topic 35").click();
    await page.getByRole("menuitem", { name: "Rename" }).click();
    await page.getByLabel("New title").fill("Renamed topic");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("link", { name: "Renamed topic" }).waitFor();

    await item("Topic 01").click();
    await page.getByRole("menuitem", { name: "Pin" }).click();
    await page.getByRole("heading", { name: "Pinned" }).waitFor();

    await item("Topic 02").click();
    await page.getByRole("menuitem", { name: "Archive" }).click();
    await expect.poll(() => page.getByRole("link", { name: "Topic 02" }).count()).toBe(0);
    await page.getByRole("button", { name: "Show archived" }).click();
    await page.getByRole("link", { name: "Topic 02" }).waitFor();
    await page.getByRole("button", { name: "Back to conversations" }).click();

    await item("Topic 03").click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    await page.getByText("Delete “Topic 03”? This cannot be undone.").waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("link", { name: "Topic 03" }).waitFor();
    await item("Topic 03").click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.getByRole("link", { name: "Topic 03" }).count()).toBe(0);
    await page.reload();
    await composer(page).waitFor();
    await page.getByRole("link", { name: "Renamed topic" }).waitFor();
    expect(await page.getByRole("link", { name: "Topic 03" }).count()).toBe(0);
    await context.close();
  });
});

if (skip) {
  // Visible in the report as skipped, with the reason; never a green pass.
  it.skip(`chat details in the browser: skipped because ${skip}`, () => {});
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendName } from "@parley/testing";
import type { Registered } from "./support";
import { codeOf } from "./support";
import {
  collectStream,
  createChatTestContext,
  newClientId,
  type ChatTestContext,
} from "./chat-support";

let t: ChatTestContext;
let root: Registered;
let alice: Registered;
let bob: Registered;

beforeAll(async () => {
  t = await createChatTestContext();
  root = await t.register("root-feedback");
  alice = await t.register("alice-feedback");
  bob = await t.register("bob-feedback");
});
afterAll(() => t?.cleanup());

async function exchange(user: Registered, content: string) {
  const api = await t.as(user);
  const sent = await api.chat.send({ content, clientMessageId: newClientId() });
  await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }));
  return sent;
}

async function ratingOf(user: Registered, conversationId: string, messageId: string) {
  const page = await (await t.as(user)).chat.messages.list({ conversationId });
  return page.items.find((m) => m.id === messageId)?.rating;
}

describe(`feedback on replies (${backendName()})`, () => {
  it("stores the owner's thumbs up or down on a reply, shows it with the history, and clears it", async () => {
    const api = await t.as(alice);
    const sent = await exchange(alice, "rate me");
    const { conversationId } = sent.userMessage;
    const reply = sent.assistantMessage.id;
    expect(await ratingOf(alice, conversationId, reply)).toBeNull();

    expect(await api.feedback.set({ messageId: reply, rating: "up" })).toEqual({
      messageId: reply,
      rating: "up",
    });
    expect(await ratingOf(alice, conversationId, reply)).toBe("up");
    await api.feedback.set({ messageId: reply, rating: "down" });
    expect(await ratingOf(alice, conversationId, reply)).toBe("down");
    await api.feedback.set({ messageId: reply, rating: null });
    expect(await ratingOf(alice, conversationId, reply)).toBeNull();
    // Only replies are rated, not questions.
    expect(await codeOf(api.feedback.set({ messageId: sent.userMessage.id, rating: "up" }))).toBe(
      "NOT_FOUND",
    );
  });

  it("refuses another user's reply as not found and leaves the owner's rating alone", async () => {
    const sent = await exchange(alice, "mine to rate");
    const reply = sent.assistantMessage.id;
    await (await t.as(alice)).feedback.set({ messageId: reply, rating: "up" });
    const asBob = await t.as(bob);
    expect(await codeOf(asBob.feedback.set({ messageId: reply, rating: "down" }))).toBe(
      "NOT_FOUND",
    );
    expect(await codeOf(asBob.feedback.set({ messageId: reply, rating: null }))).toBe("NOT_FOUND");
    expect(await ratingOf(alice, sent.userMessage.conversationId, reply)).toBe("up");
    expect(await codeOf(asBob.feedback.counts())).toBe("FORBIDDEN");
  });

  it("gives admins the counts per model, and a deleted conversation takes its ratings along", async () => {
    const admin = await t.as(root);
    const before = await admin.feedback.counts();
    const a = await exchange(alice, "one");
    const b = await exchange(bob, "two");
    const c = await exchange(bob, "three");
    await (await t.as(alice)).feedback.set({ messageId: a.assistantMessage.id, rating: "up" });
    await (await t.as(bob)).feedback.set({ messageId: b.assistantMessage.id, rating: "up" });
    await (await t.as(bob)).feedback.set({ messageId: c.assistantMessage.id, rating: "down" });
    const after = await admin.feedback.counts();
    expect(after.total).toEqual({ up: before.total.up + 2, down: before.total.down + 1 });
    const model = after.perModel.find((r) => r.model === "fixture-small");
    const was = before.perModel.find((r) => r.model === "fixture-small") ?? { up: 0, down: 0 };
    expect(model).toEqual({ model: "fixture-small", up: was.up + 2, down: was.down + 1 });
    // Counts only: nothing says who rated what.
    expect(JSON.stringify(after)).not.toContain(bob.id);

    await (await t.as(bob)).chat.conversations.delete({ id: c.userMessage.conversationId });
    expect((await admin.feedback.counts()).total).toEqual({
      up: before.total.up + 2,
      down: before.total.down,
    });
  });
});

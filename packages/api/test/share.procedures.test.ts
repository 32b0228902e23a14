import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectStream,
  twoChatUsers,
  type ChatCaller,
  newClientId,
  type ChatTestContext,
} from "./chat-support";
import { codeOf, type Registered } from "./support";

let t: ChatTestContext;
let alice: Registered;
let bob: Registered;
let asAlice: ChatCaller;
let asBob: ChatCaller;

beforeAll(async () => {
  ({ t, alice, bob, asAlice, asBob } = await twoChatUsers("share"));
});
afterAll(() => t?.cleanup());

async function exchange(content: string, conversationId?: string) {
  const sent = await asAlice.chat.send({
    content,
    clientMessageId: newClientId(),
    ...(conversationId ? { conversationId } : {}),
  });
  await collectStream(await asAlice.chat.stream({ messageId: sent.assistantMessage.id }));
  return sent;
}

/** Someone without an account. */
const anonymous = async () => (await t.caller()).api;

describe("share links", () => {
  it("shares a snapshot of the active branch that anyone can read, unchanged by later messages", async () => {
    const first = await exchange("What is **bold**?");
    const conversationId = first.conversation.id;
    const link = await asAlice.share.create({ conversationId });
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{65}$/);
    expect(link.messageCount).toBe(2);

    await exchange("And a second question", conversationId);

    const { api, req } = await t.caller();
    const seen = await api.share.view({ token: link.token });
    expect(seen.title).toBe(first.conversation.title);
    expect(seen.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "What is **bold**?"],
      ["assistant", "Echo: What is **bold**?"],
    ]);
    // No ids, usage or owner in what a stranger reads.
    expect(Object.keys(seen.messages[0]!).sort()).toEqual([
      "content",
      "createdAt",
      "model",
      "role",
      "status",
    ]);
    expect(JSON.stringify(seen)).not.toContain(alice.id);
    expect(req.responseHeaders.get("x-robots-tag")).toMatch(/noindex/);

    // A new link takes the conversation as it is now: four messages.
    const later = await asAlice.share.create({ conversationId });
    expect(later.messageCount).toBe(4);
    expect(later.token).not.toBe(link.token);
    const mine = await asAlice.share.list({ conversationId });
    expect(mine.map((s) => s.id)).toEqual([later.id, link.id]);
  });

  it("revoking a link makes it unknown at once; unknown and malformed tokens are the same 404", async () => {
    const sent = await exchange("to be revoked");
    const link = await asAlice.share.create({ conversationId: sent.conversation.id });
    const api = await anonymous();
    await api.share.view({ token: link.token });
    await asAlice.share.revoke({ id: link.id });
    expect(await codeOf(api.share.view({ token: link.token }))).toBe("NOT_FOUND");
    // The owner's half right, the secret wrong; a token of another shape; nothing at all.
    const forged = link.token.slice(0, 22) + "A".repeat(43);
    for (const token of [forged, "short", "x".repeat(100)])
      expect(await codeOf(api.share.view({ token }))).toBe("NOT_FOUND");
    expect(await asAlice.share.list({ conversationId: sent.conversation.id })).toEqual([]);
  });

  it("deleting the conversation deletes its links", async () => {
    const sent = await exchange("to be deleted");
    const link = await asAlice.share.create({ conversationId: sent.conversation.id });
    await asAlice.chat.conversations.delete({ id: sent.conversation.id });
    expect(await codeOf((await anonymous()).share.view({ token: link.token }))).toBe("NOT_FOUND");
  });

  it("another user can neither share, list nor revoke someone else's conversation or link", async () => {
    const sent = await exchange("alice's secret plans");
    const link = await asAlice.share.create({ conversationId: sent.conversation.id });
    expect(await codeOf(asBob.share.create({ conversationId: sent.conversation.id }))).toBe(
      "NOT_FOUND",
    );
    expect(await asBob.share.list({ conversationId: sent.conversation.id })).toEqual([]);
    expect(await asBob.share.list()).toEqual([]);
    expect(await codeOf(asBob.share.revoke({ id: link.id }))).toBe("NOT_FOUND");
    // A token with Bob's id in front of Alice's secret finds nothing either.
    const bobsPrefix = Buffer.from(bob.id.replace(/-/g, ""), "hex").toString("base64url");
    const spliced = bobsPrefix + link.token.slice(22);
    expect(await codeOf(asBob.share.view({ token: spliced }))).toBe("NOT_FOUND");
    // Alice's link still works.
    expect((await asBob.share.view({ token: link.token })).messages).toHaveLength(2);
  });

  it("managing links needs an account; an empty conversation has nothing to share", async () => {
    const api = await anonymous();
    expect(await codeOf(api.share.list())).toBe("UNAUTHORIZED");
    const empty = await asAlice.chat.conversations.create({});
    expect(await codeOf(api.share.create({ conversationId: empty.id }))).toBe("UNAUTHORIZED");
    expect(await codeOf(asAlice.share.create({ conversationId: empty.id }))).toBe("BAD_REQUEST");
  });
});

import { chat } from "@parley/db";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import type { Registered } from "./support";
import { codeOf } from "./support";
import {
  collectStream,
  createChatTestContext,
  eventually,
  newClientId,
  type ChatTestContext,
} from "./chat-support";
import { backendName } from "@parley/testing";
import { CONTINUE_INSTRUCTION } from "../src/features/chat/generation";

const backend = backendName();

let t: ChatTestContext;
let alice: Registered;
let api: Awaited<ReturnType<ChatTestContext["as"]>>;

beforeAll(async () => {
  t = await createChatTestContext({ settings: { modelTimeoutMs: 1_500 } });
  alice = await t.register("alice");
  api = await t.as(alice);
});
afterAll(() => t?.cleanup());
beforeEach(() => t.fixture.reset());

/** Streaming calls the fixture received (title requests are not streamed). */
const streamedCalls = () => t.fixture.calls.filter((c) => c.stream);

async function sendAndFinish(
  content: string,
  extra: { conversationId?: string; parentId?: string | null } = {},
) {
  const sent = await api.chat.send({ content, clientMessageId: newClientId(), ...extra });
  const stream = await collectStream(
    await api.chat.stream({ messageId: sent.assistantMessage.id }),
  );
  return { ...sent, stream };
}

describe(`chat flow (${backend})`, () => {
  it("lists the configured models", async () => {
    expect(await api.chat.models()).toEqual({
      configured: true,
      models: ["fixture-small", "fixture-large"],
      defaultModel: "fixture-small",
      providers: [
        {
          id: "environment",
          name: "Environment",
          environment: true,
          models: [
            { id: "fixture-small", name: "fixture-small", vision: true },
            { id: "fixture-large", name: "fixture-large", vision: true },
          ],
        },
      ],
      hint: null,
    });
  });

  it("send stores both messages at once, streams the reply, then stores it complete with usage", async () => {
    const sent = await api.chat.send({ content: "Hello model", clientMessageId: newClientId() });
    expect(sent.userMessage).toMatchObject({
      role: "user",
      content: "Hello model",
      status: "complete",
      depth: 0,
    });
    expect(sent.assistantMessage).toMatchObject({
      role: "assistant",
      status: "streaming",
      depth: 1,
      model: "fixture-small",
    });
    expect(sent.assistantMessage.parentId).toBe(sent.userMessage.id);
    expect(sent.conversation.title).toBe(chat.DEFAULT_TITLE);

    const stream = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id }),
    );
    expect(stream.text).toBe("Echo: Hello model");
    expect(stream.final).toMatchObject({ status: "complete", model: "fixture-small", error: null });
    expect(stream.final?.usage?.completionTokens).toBe(3);

    const page = await api.chat.messages.list({ conversationId: sent.conversation.id });
    expect(page.items.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "Hello model", "complete"],
      ["assistant", "Echo: Hello model", "complete"],
    ]);
    expect(page.items[1]).toMatchObject({
      promptTokens: expect.any(Number),
      completionTokens: 3,
      model: "fixture-small",
    });
  });

  it("titles a new conversation automatically after its first reply", async () => {
    const { conversation } = await sendAndFinish(
      "[[fixture reply=Greetings%20and%20plans.]] plan my week",
    );
    const titled = await eventually(async () => {
      const c = await api.chat.conversations.get({ id: conversation.id });
      return c.title === chat.DEFAULT_TITLE ? undefined : c;
    });
    expect(titled.title).toBe("Greetings and plans");
  });

  it("a conversation whose first reply failed is titled by a regenerated one", async () => {
    t.fixture.enqueue({ fail: "500" });
    const failed = await sendAndFinish("trip to Lisbon");
    expect(failed.stream.final?.status).toBe("error");
    // Named after the question at once, so the sidebar does not fill with "New chat" rows.
    expect((await api.chat.conversations.get({ id: failed.conversation.id })).title).toBe(
      "trip to Lisbon",
    );
    const { assistantMessage } = await api.chat.regenerate({
      messageId: failed.assistantMessage.id,
    });
    expect(
      (await collectStream(await api.chat.stream({ messageId: assistantMessage.id }))).final
        ?.status,
    ).toBe("complete");
    const titled = await eventually(async () => {
      const c = await api.chat.conversations.get({ id: failed.conversation.id });
      return c.title === "trip to Lisbon" ? undefined : c;
    });
    // The fixture echoes the title request, which carries the user's first message.
    expect(titled.title).toBe("Echo: trip to Lisbon");
  });

  it("a stopped first reply still names the conversation after the question", async () => {
    const sent = await api.chat.send({
      content: "Plan a weekend in Porto please [[fixture words=200 delay=20]]",
      clientMessageId: newClientId(),
    });
    await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }), {
      stopAfterDeltas: 3,
    });
    expect((await api.chat.stop({ messageId: sent.assistantMessage.id })).status).toBe("stopped");
    const titled = await eventually(async () => {
      const c = await api.chat.conversations.get({ id: sent.conversation.id });
      return c.title === chat.DEFAULT_TITLE ? undefined : c;
    });
    expect(titled.title).toBe("Plan a weekend in Porto please [[fixture words=200");
  });

  it("a retried send with the same clientMessageId returns the same rows and calls the model once", async () => {
    const clientMessageId = newClientId();
    const first = await api.chat.send({
      content: "only once [[fixture words=5 delay=20]]",
      clientMessageId,
    });
    const retry = await api.chat.send({
      content: "only once [[fixture words=5 delay=20]]",
      clientMessageId,
    });
    expect(retry.userMessage.id).toBe(first.userMessage.id);
    expect(retry.assistantMessage.id).toBe(first.assistantMessage.id);
    expect(retry.conversation.id).toBe(first.conversation.id);
    await collectStream(await api.chat.stream({ messageId: first.assistantMessage.id }));
    const again = await api.chat.send({
      content: "only once [[fixture words=5 delay=20]]",
      clientMessageId,
    });
    expect(again.assistantMessage.id).toBe(first.assistantMessage.id);
    expect(streamedCalls()).toHaveLength(1);
  });

  it("concurrent retries of one send still make one exchange", async () => {
    const clientMessageId = newClientId();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => api.chat.send({ content: "racing", clientMessageId })),
    );
    expect(new Set(results.map((r) => r.assistantMessage.id)).size).toBe(1);
    await collectStream(await api.chat.stream({ messageId: results[0]!.assistantMessage.id }));
    expect(streamedCalls()).toHaveLength(1);
  });

  it("concurrent retries of one send in an existing conversation answer the first rows, never CONFLICT", async () => {
    // The retry that lost the race sees the winner's reply streaming at the tip; it must
    // still answer with the winner's rows rather than "a reply is still being written".
    const conversation = await api.chat.conversations.create({});
    const clientMessageId = newClientId();
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        api.chat.send({
          content: "racing here [[fixture words=30 delay=20]]",
          clientMessageId,
          conversationId: conversation.id,
        }),
      ),
    );
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const sent = results.map(
      (r) => (r as PromiseFulfilledResult<{ assistantMessage: { id: string } }>).value,
    );
    expect(new Set(sent.map((r) => r.assistantMessage.id)).size).toBe(1);
    await collectStream(await api.chat.stream({ messageId: sent[0]!.assistantMessage.id }));
    expect(streamedCalls()).toHaveLength(1);
  });

  it("different sends racing into one conversation: one exchange is stored, the others wait for its reply", async () => {
    // Without the conversation lock each would read the same tip and all would be stored
    // as active siblings: two active messages at one depth, a branch that is no branch.
    const conversation = await api.chat.conversations.create({});
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) =>
        api.chat.send({
          content: `question ${i} [[fixture words=30 delay=20]]`,
          clientMessageId: newClientId(),
          conversationId: conversation.id,
        }),
      ),
    );
    const sent = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(sent).toHaveLength(1);
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(refused.map((reason) => (reason as { code?: string }).code)).toEqual(
      Array(3).fill("CONFLICT"),
    );
    await collectStream(await api.chat.stream({ messageId: sent[0]!.assistantMessage.id }));
    const page = await api.chat.messages.list({ conversationId: conversation.id });
    expect(page.items.map((m) => [m.depth, m.role])).toEqual([
      [0, "user"],
      [1, "assistant"],
    ]);
    const stored = await t.deps.db.prisma.message.findMany({
      where: { conversationId: conversation.id },
      select: { depth: true },
    });
    expect(stored.map((m) => m.depth).sort()).toEqual([0, 1]);
  });

  it("continues a conversation with the branch as the prompt, plus the system prompt", async () => {
    const conversation = await api.chat.conversations.create({ systemPrompt: "You are terse." });
    await sendAndFinish("first question", { conversationId: conversation.id });
    await sendAndFinish("second question", { conversationId: conversation.id });
    const last = streamedCalls().at(-1)!;
    expect(last.messages).toEqual([
      { role: "system", content: "You are terse." },
      { role: "user", content: "first question" },
      { role: "assistant", content: "Echo: first question" },
      { role: "user", content: "second question" },
    ]);
  });

  it("sends the conversation's temperature to the model, and none once it is cleared; only its owner sets it", async () => {
    const conversation = await api.chat.conversations.create({ temperature: 0.7 });
    await sendAndFinish("warm", { conversationId: conversation.id });
    expect(streamedCalls().at(-1)!.options.temperature).toBe(0.7);

    await api.chat.conversations.update({ id: conversation.id, temperature: 1.3 });
    expect((await api.chat.conversations.get({ id: conversation.id })).temperature).toBe(1.3);
    await sendAndFinish("hotter", { conversationId: conversation.id });
    expect(streamedCalls().at(-1)!.options.temperature).toBe(1.3);

    await api.chat.conversations.update({ id: conversation.id, temperature: null });
    await sendAndFinish("default", { conversationId: conversation.id });
    expect(streamedCalls().at(-1)!.options).not.toHaveProperty("temperature");

    const mallory = await t.as(await t.register("mallory-temperature"));
    expect(
      await codeOf(mallory.chat.conversations.update({ id: conversation.id, temperature: 2 })),
    ).toBe("NOT_FOUND");
    expect((await api.chat.conversations.get({ id: conversation.id })).temperature).toBeNull();
    expect(
      await codeOf(api.chat.conversations.update({ id: conversation.id, temperature: 2.5 })),
    ).toBe("BAD_REQUEST");
  });

  it("builds the prompt from what send read and stored: no history read after the exchange", async () => {
    const conversation = await api.chat.conversations.create({ systemPrompt: "Be kind." });
    await sendAndFinish("one", { conversationId: conversation.id });
    await sendAndFinish("two", { conversationId: conversation.id });
    // Every statement through the hand-written SQL path, in order, while the third send runs.
    const sql = t.deps.db.sql;
    const original = sql.query.bind(sql);
    const statements: string[] = [];
    let exchangeStored = false;
    sql.query = ((text: string, params?: unknown[]) => {
      statements.push(`${exchangeStored ? "after" : "before"}: ${text}`);
      return original(text, params);
    }) as typeof sql.query;
    try {
      const sent = await api.chat.send({
        content: "three",
        clientMessageId: newClientId(),
        conversationId: conversation.id,
      });
      exchangeStored = true;
      await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }));
    } finally {
      sql.query = original;
    }
    expect(streamedCalls().at(-1)!.messages).toEqual([
      { role: "system", content: "Be kind." },
      { role: "user", content: "one" },
      { role: "assistant", content: "Echo: one" },
      { role: "user", content: "two" },
      { role: "assistant", content: "Echo: two" },
      { role: "user", content: "three" },
    ]);
    const promptReads = statements.filter((s) => s.includes(chat.PROMPT_PAGE_SQL));
    expect(promptReads).toEqual([`before: ${chat.PROMPT_PAGE_SQL}`]);
  });

  it("reads the prompt again when the branch read by send is not where the message went", async () => {
    const conversation = await api.chat.conversations.create({});
    const first = await sendAndFinish("root question", { conversationId: conversation.id });
    await sendAndFinish("follow-up", { conversationId: conversation.id });
    // An edit of the follow-up: a new branch below the first reply, not below the tip.
    await sendAndFinish("edited follow-up", {
      conversationId: conversation.id,
      parentId: first.assistantMessage.id,
    });
    expect(streamedCalls().at(-1)!.messages).toEqual([
      { role: "user", content: "root question" },
      { role: "assistant", content: "Echo: root question" },
      { role: "user", content: "edited follow-up" },
    ]);
    // And the next plain send continues the edited branch.
    await sendAndFinish("after the edit", { conversationId: conversation.id });
    expect(
      streamedCalls()
        .at(-1)!
        .messages.map((m) => m.content),
    ).toEqual([
      "root question",
      "Echo: root question",
      "edited follow-up",
      "Echo: edited follow-up",
      "after the edit",
    ]);
  });

  it("replays a finished reply whole to a late subscriber", async () => {
    const { assistantMessage, stream } = await sendAndFinish("[[fixture words=12]]");
    const replay = await collectStream(await api.chat.stream({ messageId: assistantMessage.id }));
    expect(replay.text).toBe(stream.text);
    expect(replay.final?.status).toBe("complete");
  });

  it("a subscriber that disconnects mid-stream resumes with lastEventId: exactly the missing text", async () => {
    const sent = await api.chat.send({
      content: "[[fixture words=30 delay=15]]",
      clientMessageId: newClientId(),
    });
    const head = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id }),
      { stopAfterDeltas: 5 },
    );
    expect(head.final).toBeNull();
    // The reply goes on without any subscriber and is stored complete.
    const stored = await eventually(async () => {
      const m = await chat.findMessage(t.deps.db, alice.id, sent.assistantMessage.id);
      return m?.status === "complete" ? m : undefined;
    });
    const tail = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id, lastEventId: head.lastEventId }),
    );
    expect(head.text + tail.text).toBe(stored.content);
    expect(stored.content).toBe(Array.from({ length: 30 }, (_, i) => `w${i + 1}`).join(" "));
    expect(tail.final?.status).toBe("complete");
  });

  it("resumes while the reply is still being written", async () => {
    const sent = await api.chat.send({
      content: "[[fixture words=40 delay=10]]",
      clientMessageId: newClientId(),
    });
    const head = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id }),
      { stopAfterDeltas: 3 },
    );
    const tail = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id, lastEventId: head.lastEventId }),
    );
    const stored = await chat.findMessage(t.deps.db, alice.id, sent.assistantMessage.id);
    expect(head.text + tail.text).toBe(stored?.content);
    expect(stored?.status).toBe("complete");
  });

  it("continue makes a new version of a stopped reply that opens with its text and goes on from it", async () => {
    const sent = await api.chat.send({
      content: "[[fixture words=200 delay=20]]",
      clientMessageId: newClientId(),
    });
    await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }), {
      stopAfterDeltas: 3,
    });
    const stopped = await api.chat.stop({ messageId: sent.assistantMessage.id });
    expect(stopped.status).toBe("stopped");
    t.fixture.reset();
    t.fixture.enqueue({ reply: "and the rest." });

    const { assistantMessage } = await api.chat.continue({ messageId: stopped.id });
    expect(assistantMessage.id).not.toBe(stopped.id);
    const stream = await collectStream(await api.chat.stream({ messageId: assistantMessage.id }));
    expect(stream.final?.status).toBe("complete");
    // Subscribers get the opening first, then the rest; the stored reply is both.
    expect(stream.text).toBe(`${stopped.content}and the rest.`);
    const stored = await chat.findMessage(t.deps.db, alice.id, assistantMessage.id);
    expect(stored).toMatchObject({
      content: `${stopped.content}and the rest.`,
      status: "complete",
    });
    // The model saw the stopped text as its own turn and was asked to go on.
    expect(streamedCalls().at(-1)!.messages.slice(-3)).toEqual([
      { role: "user", content: "[[fixture words=200 delay=20]]" },
      { role: "assistant", content: stopped.content },
      { role: "user", content: CONTINUE_INSTRUCTION },
    ]);
    // The stopped version stays, as the other version of the reply.
    const page = await api.chat.messages.list({ conversationId: sent.userMessage.conversationId });
    expect(page.items.at(-1)?.siblingIds).toEqual([stopped.id, assistantMessage.id]);
    expect((await chat.findMessage(t.deps.db, alice.id, stopped.id))?.status).toBe("stopped");

    // Only a cut-off reply of one's own.
    expect(await codeOf(api.chat.continue({ messageId: assistantMessage.id }))).toBe("BAD_REQUEST");
    expect(await codeOf(api.chat.continue({ messageId: sent.userMessage.id }))).toBe("BAD_REQUEST");
    const mallory = await t.as(await t.register("mallory-continue"));
    expect(await codeOf(mallory.chat.continue({ messageId: stopped.id }))).toBe("NOT_FOUND");
  });

  it("stop ends the reply as stopped, keeping its partial text", async () => {
    const sent = await api.chat.send({
      content: "[[fixture words=200 delay=20]]",
      clientMessageId: newClientId(),
    });
    const head = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id }),
      { stopAfterDeltas: 3 },
    );
    const stopped = await api.chat.stop({ messageId: sent.assistantMessage.id });
    expect(stopped.status).toBe("stopped");
    expect(stopped.content.startsWith(head.text)).toBe(true);
    expect(stopped.content.length).toBeGreaterThan(0);
    expect(stopped.content).not.toContain("w200");
    const replay = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id }),
    );
    expect(replay).toMatchObject({ text: stopped.content, final: { status: "stopped" } });
    // Stopping a finished reply changes nothing.
    expect((await api.chat.stop({ messageId: sent.assistantMessage.id })).status).toBe("stopped");
  });

  it("an upstream failure mid-stream ends as error with the partial text kept", async () => {
    const sent = await api.chat.send({
      content: "[[fixture words=10 fail=mid after=4]]",
      clientMessageId: newClientId(),
    });
    const stream = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id }),
    );
    expect(stream.text).toBe("w1 w2 w3 w4 ");
    expect(stream.final?.status).toBe("error");
    expect(stream.final?.error).toMatch(/broke off mid-reply/);
    const stored = await chat.findMessage(t.deps.db, alice.id, sent.assistantMessage.id);
    expect(stored).toMatchObject({ status: "error", content: "w1 w2 w3 w4 " });
  });

  it.each([
    ["500", /provider had an error \(HTTP 500\)/],
    ["429", /rate-limiting requests \(HTTP 429\)/],
    ["401", /refused Parley's credentials \(HTTP 401\).*OPENAI_API_KEY/],
  ])(
    "a failure before the first token (HTTP %s) ends as error; the user message is kept",
    async (status, message) => {
      const content = `[[fixture fail=${status}]] keep me`;
      const sent = await api.chat.send({ content, clientMessageId: newClientId() });
      const stream = await collectStream(
        await api.chat.stream({ messageId: sent.assistantMessage.id }),
      );
      expect(stream).toMatchObject({ text: "", final: { status: "error" } });
      expect(stream.final?.error).toMatch(message);
      const page = await api.chat.messages.list({ conversationId: sent.conversation.id });
      expect(page.items.map((m) => [m.role, m.content, m.status])).toEqual([
        ["user", content, "complete"],
        ["assistant", "", "error"],
      ]);
    },
  );

  it("a model that hangs times out with a clear error", async () => {
    const sent = await api.chat.send({
      content: "[[fixture fail=hang]]",
      clientMessageId: newClientId(),
    });
    const stream = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id }),
    );
    expect(stream.final).toMatchObject({
      status: "error",
      error: expect.stringMatching(/did not answer within/),
    });
  });

  it("a model that goes quiet mid-reply is cut off, keeping the text", async () => {
    const sent = await api.chat.send({
      content: "[[fixture words=6 fail=hang-mid after=2]]",
      clientMessageId: newClientId(),
    });
    const stream = await collectStream(
      await api.chat.stream({ messageId: sent.assistantMessage.id }),
    );
    expect(stream).toMatchObject({ text: "w1 w2 ", final: { status: "error" } });
    expect(stream.final?.error).toMatch(/stopped sending/);
  });

  it("refuses a second send while the reply is still being written", async () => {
    const sent = await api.chat.send({
      content: "[[fixture words=100 delay=20]]",
      clientMessageId: newClientId(),
    });
    const second = api.chat.send({
      conversationId: sent.conversation.id,
      content: "too soon",
      clientMessageId: newClientId(),
    });
    expect(await codeOf(second)).toBe("CONFLICT");
    await api.chat.stop({ messageId: sent.assistantMessage.id });
  });
});

describe(`branches (${backend})`, () => {
  it("regenerate makes a sibling reply the active one; switching brings the first back", async () => {
    const first = await sendAndFinish("[[fixture words=3]] pick a number");
    const { assistantMessage: second } = await api.chat.regenerate({
      messageId: first.assistantMessage.id,
    });
    expect(second).toMatchObject({ depth: 1, parentId: first.userMessage.id, status: "streaming" });
    await collectStream(await api.chat.stream({ messageId: second.id }));

    let page = await api.chat.messages.list({ conversationId: first.conversation.id });
    expect(page.items.map((m) => m.id)).toEqual([first.userMessage.id, second.id]);
    expect(page.items[1]).toMatchObject({
      siblingIds: [first.assistantMessage.id, second.id],
      siblingIndex: 1,
    });
    expect(page.items[0]).toMatchObject({ siblingIds: [first.userMessage.id], siblingIndex: 0 });

    await api.chat.messages.switchBranch({ messageId: first.assistantMessage.id });
    page = await api.chat.messages.list({ conversationId: first.conversation.id });
    expect(page.items.map((m) => m.id)).toEqual([first.userMessage.id, first.assistantMessage.id]);
    expect(page.items[1]?.siblingIndex).toBe(0);
  });

  it("edit and resend (parentId) starts a new branch; switching back restores the old one with its follow-ups", async () => {
    const a = await sendAndFinish("question one");
    const b = await sendAndFinish("question two", { conversationId: a.conversation.id });
    await sendAndFinish("question three", { conversationId: a.conversation.id });

    // Edit "question two": the new user message follows the first reply.
    const edited = await sendAndFinish("question two, edited", {
      conversationId: a.conversation.id,
      parentId: a.assistantMessage.id,
    });
    expect(edited.userMessage).toMatchObject({ depth: 2, parentId: a.assistantMessage.id });
    let page = await api.chat.messages.list({ conversationId: a.conversation.id });
    expect(page.items.map((m) => m.content)).toEqual([
      "question one",
      "Echo: question one",
      "question two, edited",
      "Echo: question two, edited",
    ]);
    expect(page.items[2]).toMatchObject({
      siblingIds: [b.userMessage.id, edited.userMessage.id],
      siblingIndex: 1,
    });
    // The edit's prompt holds only its own branch.
    expect(
      streamedCalls()
        .at(-1)!
        .messages.map((m) => m.content),
    ).toEqual(["question one", "Echo: question one", "question two, edited"]);

    await api.chat.messages.switchBranch({ messageId: b.userMessage.id });
    page = await api.chat.messages.list({ conversationId: a.conversation.id });
    expect(page.items.map((m) => m.content)).toEqual([
      "question one",
      "Echo: question one",
      "question two",
      "Echo: question two",
      "question three",
      "Echo: question three",
    ]);
  });

  it("editing the first message (parentId null) makes a new root", async () => {
    const a = await sendAndFinish("original start");
    const edited = await sendAndFinish("better start", {
      conversationId: a.conversation.id,
      parentId: null,
    });
    const page = await api.chat.messages.list({ conversationId: a.conversation.id });
    expect(page.items.map((m) => m.content)).toEqual(["better start", "Echo: better start"]);
    expect(page.items[0]).toMatchObject({
      siblingIds: [a.userMessage.id, edited.userMessage.id],
      siblingIndex: 1,
    });
  });

  it("rejects a parentId that is not a reply of this conversation", async () => {
    const a = await sendAndFinish("hello");
    const edit = api.chat.send({
      conversationId: a.conversation.id,
      content: "x",
      clientMessageId: newClientId(),
      parentId: a.userMessage.id,
    });
    expect(await codeOf(edit)).toBe("BAD_REQUEST");
    const other = await sendAndFinish("elsewhere");
    const foreign = api.chat.send({
      conversationId: a.conversation.id,
      content: "x",
      clientMessageId: newClientId(),
      parentId: other.assistantMessage.id,
    });
    expect(await codeOf(foreign)).toBe("NOT_FOUND");
  });

  it("pages through a long branch by depth, newest first, then newer again", async () => {
    const conversation = await api.chat.conversations.create({});
    for (let i = 0; i < 6; i++) await sendAndFinish(`m${i}`, { conversationId: conversation.id });
    const seen: string[] = [];
    let cursor: number | null = null;
    do {
      const page: Awaited<ReturnType<typeof api.chat.messages.list>> = await api.chat.messages.list(
        {
          conversationId: conversation.id,
          limit: 5,
          cursor,
        },
      );
      seen.unshift(...page.items.map((m) => m.content));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(Array.from({ length: 6 }, (_, i) => [`m${i}`, `Echo: m${i}`]).flat());
    const newer = await api.chat.messages.list({
      conversationId: conversation.id,
      toward: "newer",
      cursor: 9,
      limit: 5,
    });
    expect(newer.items.map((m) => m.content)).toEqual(["m5", "Echo: m5"]);
    expect(newer.nextCursor).toBeNull();
    // What tRPC's stock useInfiniteQuery sends: its own `direction`, which must not turn
    // the page around.
    const infinite = await api.chat.messages.list({
      conversationId: conversation.id,
      limit: 5,
      cursor: 9,
      direction: "forward",
    } as Parameters<typeof api.chat.messages.list>[0]);
    expect(infinite.items.map((m) => m.content)).toEqual([
      "m2",
      "Echo: m2",
      "m3",
      "Echo: m3",
      "m4",
    ]);
  });
});

describe(`conversations (${backend})`, () => {
  it("creates, updates, lists newest first with a cursor, and deletes", async () => {
    const bob = await t.register("bob-convs");
    const bobApi = await t.as(bob);
    const created = [];
    for (let i = 0; i < 3; i++)
      created.push(await bobApi.chat.conversations.create({ title: `c${i}` }));
    const updated = await bobApi.chat.conversations.update({
      id: created[0]!.id,
      title: "renamed",
      pinned: true,
      temperature: 0.3,
      model: "fixture-large",
      systemPrompt: "Be kind",
    });
    expect(updated).toMatchObject({
      title: "renamed",
      pinned: true,
      temperature: 0.3,
      model: "fixture-large",
      systemPrompt: "Be kind",
    });

    const first = await bobApi.chat.conversations.list({ limit: 2 });
    expect(first.items.map((c) => c.title)).toEqual(["renamed", "c2"]);
    const second = await bobApi.chat.conversations.list({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((c) => c.title)).toEqual(["c1"]);
    expect(second.nextCursor).toBeNull();
    expect(
      (await bobApi.chat.conversations.list({ pinned: true })).items.map((c) => c.title),
    ).toEqual(["renamed"]);

    await bobApi.chat.conversations.update({ id: created[1]!.id, archived: true });
    expect((await bobApi.chat.conversations.list({})).items.map((c) => c.title)).toEqual([
      "renamed",
      "c2",
    ]);
    expect(
      (await bobApi.chat.conversations.list({ archived: true })).items.map((c) => c.title),
    ).toEqual(["c1"]);

    await bobApi.chat.conversations.delete({ id: created[2]!.id });
    expect(await codeOf(bobApi.chat.conversations.get({ id: created[2]!.id }))).toBe("NOT_FOUND");
  });

  it("refuses a model that is not offered, naming the field", async () => {
    const error = await api.chat.conversations
      .create({ model: "gpt-nonexistent" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/not offered/),
    });
  });

  it("search finds a conversation by a word that occurs only in one of its messages", async () => {
    const carol = await t.register("carol-search");
    const carolApi = await t.as(carol);
    const target = await carolApi.chat.send({
      content: "tell me about the zanzibarian archipelago",
      clientMessageId: newClientId(),
    });
    await carolApi.chat.send({ content: "something unrelated", clientMessageId: newClientId() });
    await collectStream(await carolApi.chat.stream({ messageId: target.assistantMessage.id }));
    const byWord = await carolApi.chat.conversations.list({ query: "zanzibarian" });
    expect(byWord.items.map((c) => c.id)).toEqual([target.conversation.id]);
    const byPrefix = await carolApi.chat.conversations.list({ query: "ZANZIB archipel" });
    expect(byPrefix.items.map((c) => c.id)).toEqual([target.conversation.id]);
    expect(
      (await carolApi.chat.conversations.list({ query: "nowhere-to-be-found" })).items,
    ).toEqual([]);
    expect((await carolApi.chat.conversations.list({ query: "&|!():*" })).items).toEqual([]);
    // Alice's search never sees Carol's conversations.
    expect((await api.chat.conversations.list({ query: "zanzibarian" })).items).toEqual([]);
  });

  it("exports the active branch as JSON and Markdown", async () => {
    const { conversation } = await sendAndFinish("export me");
    const json = await api.chat.conversations.export({ id: conversation.id, format: "json" });
    expect(json.mimeType).toBe("application/json");
    const document = JSON.parse(json.content) as {
      messages: Array<{ role: string; content: string }>;
    };
    expect(document.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "export me"],
      ["assistant", "Echo: export me"],
    ]);
    const markdown = await api.chat.conversations.export({
      id: conversation.id,
      format: "markdown",
    });
    expect(markdown.filename).toMatch(/\.md$/);
    expect(markdown.content).toContain("### You");
    expect(markdown.content).toContain("Echo: export me");
  });
});

describe(`export of a branched conversation (${backend})`, () => {
  const exportedIds = async (conversationId: string) =>
    (
      JSON.parse(
        (await api.chat.conversations.export({ id: conversationId, format: "json" })).content,
      ) as { messages: Array<{ id: string }> }
    ).messages.map((m) => m.id);

  it("holds only the active branch: the regenerated reply, then the first one once switched back", async () => {
    const first = await sendAndFinish("export a branch");
    const { assistantMessage: second } = await api.chat.regenerate({
      messageId: first.assistantMessage.id,
    });
    await collectStream(await api.chat.stream({ messageId: second.id }));
    expect(await exportedIds(first.conversation.id)).toEqual([first.userMessage.id, second.id]);

    await api.chat.messages.switchBranch({ messageId: first.assistantMessage.id });
    expect(await exportedIds(first.conversation.id)).toEqual([
      first.userMessage.id,
      first.assistantMessage.id,
    ]);
  });
});

describe(`ownership (${backend})`, () => {
  it("user B gets NOT_FOUND for every chat procedure on A's ids, the subscription included", async () => {
    const a = await sendAndFinish("private thoughts");
    const mallory = await t.register("mallory");
    const m = await t.as(mallory);
    const conversationId = a.conversation.id;
    const messageId = a.assistantMessage.id;
    const attempts: Record<string, Promise<unknown>> = {
      "conversations.get": m.chat.conversations.get({ id: conversationId }),
      "conversations.update": m.chat.conversations.update({
        id: conversationId,
        title: "mine now",
      }),
      "conversations.delete": m.chat.conversations.delete({ id: conversationId }),
      "conversations.export": m.chat.conversations.export({ id: conversationId, format: "json" }),
      "messages.list": m.chat.messages.list({ conversationId }),
      "messages.switchBranch": m.chat.messages.switchBranch({ messageId }),
      send: m.chat.send({ conversationId, content: "hi", clientMessageId: newClientId() }),
      "send (edit)": m.chat.send({
        conversationId,
        content: "hi",
        clientMessageId: newClientId(),
        parentId: messageId,
      }),
      stream: m.chat.stream({ messageId }).then((iterable) => collectStream(iterable)),
      stop: m.chat.stop({ messageId }),
      regenerate: m.chat.regenerate({ messageId }),
    };
    const codes = Object.fromEntries(
      await Promise.all(
        Object.entries(attempts).map(async ([name, p]) => [name, await codeOf(p)] as const),
      ),
    );
    expect(codes).toEqual(
      Object.fromEntries(Object.keys(attempts).map((name) => [name, "NOT_FOUND"])),
    );
    expect((await m.chat.conversations.list({})).items).toEqual([]);
    // Nothing changed for A.
    expect((await api.chat.conversations.get({ id: conversationId })).title).not.toBe("mine now");
  });

  it("signed-out callers are refused", async () => {
    const { api: anonymous } = await t.caller();
    expect(await codeOf(anonymous.chat.models())).toBe("UNAUTHORIZED");
    expect(
      await codeOf(anonymous.chat.send({ content: "x", clientMessageId: newClientId() })),
    ).toBe("UNAUTHORIZED");
  });
});

describe(`input limits (${backend})`, () => {
  /** The fields a BAD_REQUEST names (createCaller keeps the zod error as the cause). */
  async function badRequest(promise: Promise<unknown>) {
    const error = (await promise.catch((e: unknown) => e)) as { code?: string; cause?: unknown };
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.cause).toBeInstanceOf(ZodError);
    return [...new Set((error.cause as ZodError).issues.map((issue) => String(issue.path[0])))];
  }

  it("names the field at fault for oversized or malformed input", async () => {
    expect(
      await badRequest(
        api.chat.send({ content: "x".repeat(32_001), clientMessageId: newClientId() }),
      ),
    ).toEqual(["content"]);
    expect(
      await badRequest(api.chat.send({ content: "   ", clientMessageId: newClientId() })),
    ).toEqual(["content"]);
    expect(
      await badRequest(api.chat.send({ content: "hi", clientMessageId: "has spaces" })),
    ).toEqual(["clientMessageId"]);
    expect(
      await badRequest(api.chat.send({ content: "hi", clientMessageId: "x".repeat(65) })),
    ).toEqual(["clientMessageId"]);
    expect(
      await badRequest(
        api.chat.send({ content: "hi", clientMessageId: newClientId(), conversationId: "nope" }),
      ),
    ).toEqual(["conversationId"]);
    expect(await badRequest(api.chat.conversations.create({ title: "t".repeat(201) }))).toEqual([
      "title",
    ]);
    expect(await badRequest(api.chat.conversations.create({ temperature: 5 }))).toEqual([
      "temperature",
    ]);
    expect(await badRequest(api.chat.conversations.list({ limit: 1_000 }))).toEqual(["limit"]);
    expect(await badRequest(api.chat.conversations.list({ query: "q".repeat(201) }))).toEqual([
      "query",
    ]);
    expect(await badRequest(api.chat.conversations.list({ cursor: "garbage" }))).toEqual([
      "cursor",
    ]);
    expect(await badRequest(api.chat.messages.list({ conversationId: "nope" }))).toEqual([
      "conversationId",
    ]);
    expect(await badRequest(api.chat.stream({ messageId: "nope" }))).toEqual(["messageId"]);
    expect(
      await badRequest(
        api.chat.conversations.export({ id: crypto.randomUUID(), format: "pdf" as "json" }),
      ),
    ).toEqual(["format"]);
  });

  it("a message of exactly 32,000 characters is accepted", async () => {
    const sent = await api.chat.send({
      content: "y".repeat(32_000),
      clientMessageId: newClientId(),
    });
    expect(sent.userMessage.content).toHaveLength(32_000);
    await api.chat.stop({ messageId: sent.assistantMessage.id });
  });

  it("an invalid lastEventId is refused, naming it", async () => {
    const { assistantMessage } = await sendAndFinish("hi");
    const error = await api.chat
      .stream({ messageId: assistantMessage.id, lastEventId: "not-an-id" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BAD_REQUEST", message: "Invalid lastEventId" });
  });
});

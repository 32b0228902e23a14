import { chat } from "@parley/db";
import { afterEach, describe, expect, it } from "vitest";
import type { GenerationOutcome } from "../src";
import {
  collectStream,
  createChatTestContext,
  eventually,
  newClientId,
  type ChatTestContext,
} from "./chat-support";
import { codeOf } from "./support";
import { backendName } from "@parley/testing";

const backend = backendName();

let t: ChatTestContext | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** A reply left `streaming` by a generator that is gone: its lease already lapsed. */
async function abandonedReply(ctx: ChatTestContext, userId: string, leaseExpiresAt: Date) {
  return chat.createExchange(ctx.deps.db, {
    userId,
    conversation: { create: { model: "fixture-small" } },
    content: "a question",
    clientMessageId: newClientId(),
    parent: "tip",
    model: "fixture-small",
    leaseExpiresAt,
  });
}

describe(`generation lifecycle (${backend})`, () => {
  it("the sweep marks a reply whose lease lapsed interrupted, keeping the text the bus saw", async () => {
    t = await createChatTestContext();
    const user = await t.register("sweep-owner");
    const api = await t.as(user);
    const { assistantMessage } = await abandonedReply(t, user.id, new Date(Date.now() - 1_000));
    // The dead generator had saved part of the text, and streamed a little more.
    await chat.saveReplyProgress(
      t.deps.db,
      { userId: user.id, messageId: assistantMessage.id },
      "partial ",
      new Date(Date.now() - 1_000),
    );
    const bus = t.deps.chat!.streamBus;
    await bus.append(assistantMessage.id, { kind: "delta", text: "partial ", offset: 0 });
    await bus.append(assistantMessage.id, { kind: "delta", text: "text", offset: 8 });

    const subscriber = collectStream(await api.chat.stream({ messageId: assistantMessage.id }));
    expect(await t.deps.chat!.sweeper.sweep()).toBe(1);
    const stored = await chat.findMessage(t.deps.db, user.id, assistantMessage.id);
    expect(stored).toMatchObject({ status: "interrupted", content: "partial text" });
    expect(stored?.error).toMatch(/stopped before it finished/);
    expect(await subscriber).toMatchObject({
      text: "partial text",
      final: { status: "interrupted" },
    });
    // A second sweep finds nothing left to do.
    expect(await t.deps.chat!.sweeper.sweep()).toBe(0);
  });

  it("the sweep leaves replies with a live lease alone", async () => {
    t = await createChatTestContext();
    const user = await t.register("live-lease");
    const { assistantMessage } = await abandonedReply(t, user.id, new Date(Date.now() + 60_000));
    expect(await t.deps.chat!.sweeper.sweep()).toBe(0);
    expect((await chat.findMessage(t.deps.db, user.id, assistantMessage.id))?.status).toBe(
      "streaming",
    );
  });

  it("stop still ends a reply whose generator does not answer, with the text the bus saw", async () => {
    t = await createChatTestContext({ settings: { stopWaitMs: 200 } });
    const user = await t.register("stop-orphan");
    const api = await t.as(user);
    const { assistantMessage } = await abandonedReply(t, user.id, new Date(Date.now() + 60_000));
    await t.deps.chat!.streamBus.append(assistantMessage.id, {
      kind: "delta",
      text: "half a th",
      offset: 0,
    });
    const stopped = await api.chat.stop({ messageId: assistantMessage.id });
    expect(stopped).toMatchObject({ status: "stopped", content: "half a th" });
  });

  it("shutting down cuts running generations off as interrupted, keeping their text, and refuses new sends", async () => {
    t = await createChatTestContext({ settings: { shutdownGraceMs: 100 } });
    const user = await t.register("shutdown");
    const api = await t.as(user);
    const sent = await api.chat.send({
      content: "[[fixture words=500 delay=20]]",
      clientMessageId: newClientId(),
    });
    await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }), {
      stopAfterDeltas: 2,
    });
    await t.deps.chat!.close();
    const stored = await chat.findMessage(t.deps.db, user.id, sent.assistantMessage.id);
    expect(stored?.status).toBe("interrupted");
    expect(stored?.content).toMatch(/^w1 w2 /);
    expect(await codeOf(api.chat.send({ content: "late", clientMessageId: newClientId() }))).toBe(
      "SERVICE_UNAVAILABLE",
    );
  });

  it("deleting a conversation mid-reply ends its generation quietly", async () => {
    t = await createChatTestContext();
    const user = await t.register("deleter");
    const api = await t.as(user);
    const sent = await api.chat.send({
      content: "[[fixture words=400 delay=10]]",
      clientMessageId: newClientId(),
    });
    await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }), {
      stopAfterDeltas: 2,
    });
    await api.chat.conversations.delete({ id: sent.conversation.id });
    await t.deps.chat!.generations.settled(sent.assistantMessage.id);
    expect(t.deps.chat!.generations.size).toBe(0);
    expect(t.fixture.calls.filter((c) => c.stream)).toHaveLength(1);
  });

  it("tells the generation observer about first tokens and outcomes", async () => {
    t = await createChatTestContext();
    const outcomes: GenerationOutcome[] = [];
    let firstTokens = 0;
    t.deps.generationObserver = {
      onFirstToken: () => void firstTokens++,
      onFinish: (o) => void outcomes.push(o),
    };
    const user = await t.register("observed");
    const api = await t.as(user);
    const ok = await api.chat.send({
      content: "[[fixture words=3]]",
      clientMessageId: newClientId(),
    });
    await collectStream(await api.chat.stream({ messageId: ok.assistantMessage.id }));
    const failed = await api.chat.send({
      content: "[[fixture fail=429]]",
      clientMessageId: newClientId(),
    });
    await collectStream(await api.chat.stream({ messageId: failed.assistantMessage.id }));
    await eventually(async () => (outcomes.length >= 2 ? true : undefined));
    expect(firstTokens).toBe(1);
    expect(outcomes.map((o) => [o.status, o.errorKind, o.model])).toEqual([
      ["complete", null, "fixture-small"],
      ["error", "rate_limited", "fixture-small"],
    ]);
    expect(outcomes[0]?.usage).toEqual({ promptTokens: expect.any(Number), completionTokens: 3 });
    expect(outcomes[0]?.timeToFirstTokenMs).toEqual(expect.any(Number));
  });
});

describe(`send limits and configuration (${backend})`, () => {
  it("limits sends per user per minute with TOO_MANY_REQUESTS and Retry-After", async () => {
    t = await createChatTestContext({ settings: { sendsPerMinute: 2 } });
    const user = await t.register("chatty");
    const { api, req } = await t.caller({ token: user.accessToken });
    for (let i = 0; i < 2; i++) {
      const sent = await api.chat.send({
        content: `[[fixture words=1]] ${i}`,
        clientMessageId: newClientId(),
      });
      await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }));
    }
    const third = await api.chat
      .send({ content: "one more", clientMessageId: newClientId() })
      .catch((e: unknown) => e);
    expect(third).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(Number(req.responseHeaders.get("retry-after"))).toBeGreaterThan(0);
    // Another user has their own budget.
    const other = await t.as(await t.register("quiet"));
    expect(await codeOf(other.chat.send({ content: "hi", clientMessageId: newClientId() }))).toBe(
      "OK",
    );
  });

  it("limits new conversations per user per minute, apart from sends", async () => {
    t = await createChatTestContext({ settings: { conversationsPerMinute: 3 } });
    const user = await t.register("hoarder");
    const { api, req } = await t.caller({ token: user.accessToken });
    for (let i = 0; i < 3; i++) await api.chat.conversations.create({ title: `c${i}` });
    const fourth = await api.chat.conversations.create({ title: "c3" }).catch((e: unknown) => e);
    expect(fourth).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect((fourth as Error).message).toMatch(/Too many new conversations; try again in \d+ s/);
    expect(Number(req.responseHeaders.get("retry-after"))).toBeGreaterThan(0);
    expect((await api.chat.conversations.list()).items).toHaveLength(3);
    // Sending into an existing conversation is not held back, and others have their own budget.
    const [existing] = (await api.chat.conversations.list()).items;
    expect(
      await codeOf(
        api.chat.send({
          conversationId: existing!.id,
          content: "hi",
          clientMessageId: newClientId(),
        }),
      ),
    ).toBe("OK");
    const other = await t.as(await t.register("tidy"));
    expect(await codeOf(other.chat.conversations.create({ title: "mine" }))).toBe("OK");
  });

  it("without a provider the app still answers: models says so, send explains how to configure one", async () => {
    t = await createChatTestContext({ provider: false });
    const user = await t.register("unconfigured");
    const api = await t.as(user);
    const models = await api.chat.models();
    expect(models).toMatchObject({ configured: false, models: [], defaultModel: null });
    expect(models.hint).toMatch(/Settings → Providers.*Ollama.*OPENAI_API_KEY.*OPENAI_BASE_URL/s);
    // Only the first account is an admin: the others get no environment-variable lecture.
    const member = await t.as(await t.register("member"));
    expect(await member.chat.models()).toMatchObject({ configured: false, hint: null });
    const error = await api.chat
      .send({ content: "hello?", clientMessageId: newClientId() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/OPENAI_BASE_URL/),
    });
    expect((await api.chat.conversations.list({})).items).toEqual([]);
    expect(t.fixture.calls).toHaveLength(0);
  });
});

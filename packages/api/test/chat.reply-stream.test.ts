import { chat } from "@parley/db";
import { backendName, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrompt } from "../src/features/chat/prompt";
import { parseEventId, replyEvents } from "../src/features/chat/reply-stream";
import { defaultChatSettings } from "../src/features/chat/settings";
import { createMemoryStreamBus, createRedis, createRedisStreamBus, type StreamBus } from "../src";
import { collectStream, createDatabaseWithUser, newClientId } from "./chat-support";

const backend = backendName();
const settings = { ...defaultChatSettings, streamCheckMs: 200, saveIntervalMs: 50 };

let t: TestDatabase;
let userId: string;
beforeAll(async () => {
  ({ t, userId } = await createDatabaseWithUser("streamer"));
});
afterAll(() => t?.cleanup());

async function streamingReply() {
  const { assistantMessage, conversation } = await chat.createExchange(t.db, {
    userId,
    conversation: { create: {} },
    content: "question",
    clientMessageId: newClientId(),
    parent: "tip",
    model: "m",
    leaseExpiresAt: new Date(Date.now() + 60_000),
  });
  return { id: assistantMessage.id, conversationId: conversation.id };
}

/** Writes a reply the way a generator does: deltas to the bus, the final text to the database. */
async function generate(bus: StreamBus, id: string, pieces: string[]) {
  let offset = 0;
  for (const text of pieces) {
    await bus.append(id, { kind: "delta", text, offset });
    offset += text.length;
  }
  const content = pieces.join("");
  await chat.finishReply(t.db, { userId, messageId: id }, { status: "complete", content });
  await bus.append(id, {
    kind: "final",
    status: "complete",
    length: content.length,
    usage: null,
    model: "m",
    error: null,
  });
  return content;
}

describe(`reply stream reader (${backend})`, () => {
  it("fills what a capped bus dropped from the database, with no gap and no duplicate", async () => {
    const bus = createMemoryStreamBus({ maxLength: 5 });
    const { id } = await streamingReply();
    const pieces = Array.from({ length: 30 }, (_, i) => `p${i} `);
    const content = await generate(bus, id, pieces);
    // The reply counts as still streaming for the reader's first look, so it reads the bus.
    await t.db.prisma.message.update({
      where: { userId_id: { userId, id } },
      data: { status: "streaming" },
    });
    const reading = collectStream(
      replyEvents(
        { db: t.db, bus, settings },
        { userId, messageId: id },
        { offset: 0, cursor: null },
        undefined,
      ),
    );
    await chat.finishReply(t.db, { userId, messageId: id }, { status: "complete", content });
    const result = await reading;
    expect(result.text).toBe(content);
    expect(result.final?.status).toBe("complete");
  });

  it("follows the database when the bus is unreachable", async () => {
    // A real Redis client pointed at a port where nothing listens: every command fails.
    const deadRedis = createRedis("redis://127.0.0.1:1");
    const bus = createRedisStreamBus(deadRedis);
    try {
      const { id } = await streamingReply();
      const reading = collectStream(
        replyEvents(
          { db: t.db, bus, settings },
          { userId, messageId: id },
          { offset: 0, cursor: null },
          undefined,
        ),
      );
      await chat.saveReplyProgress(
        t.db,
        { userId, messageId: id },
        "first half, ",
        new Date(Date.now() + 60_000),
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
      await chat.finishReply(
        t.db,
        { userId, messageId: id },
        { status: "complete", content: "first half, second half" },
      );
      expect(await reading).toMatchObject({
        text: "first half, second half",
        final: { status: "complete" },
      });
    } finally {
      await bus.close();
      deadRedis.disconnect();
    }
  });

  it("ends with the database's final state when the final entry never reached the bus", async () => {
    const bus = createMemoryStreamBus();
    const { id } = await streamingReply();
    const reading = collectStream(
      replyEvents(
        { db: t.db, bus, settings },
        { userId, messageId: id },
        { offset: 0, cursor: null },
        undefined,
      ),
    );
    await bus.append(id, { kind: "delta", text: "partial", offset: 0 });
    await chat.finishReply(
      t.db,
      { userId, messageId: id },
      { status: "interrupted", content: "partial" },
    );
    expect(await reading).toMatchObject({ text: "partial", final: { status: "interrupted" } });
  });

  it("resumes from an event id that only carries an offset (the bus forgot the stream)", async () => {
    const bus = createMemoryStreamBus();
    const { id } = await streamingReply();
    const content = await generate(bus, id, ["Hello ", "there ", "friend"]);
    const empty = createMemoryStreamBus();
    const rest = await collectStream(
      replyEvents(
        { db: t.db, bus: empty, settings },
        { userId, messageId: id },
        parseEventId("6")!,
        undefined,
      ),
    );
    expect(rest.text).toBe(content.slice(6));
  });

  it("reads event ids strictly", () => {
    expect(parseEventId(null)).toEqual({ offset: 0, cursor: null });
    expect(parseEventId("12")).toEqual({ offset: 12, cursor: null });
    expect(parseEventId("12:1700000000000-3")).toEqual({ offset: 12, cursor: "1700000000000-3" });
    for (const bad of ["-1", "abc", "12:", "12:x-y", "1".repeat(12)])
      expect(parseEventId(bad)).toBeNull();
  });
});

describe(`prompt budget (${backend})`, () => {
  it("keeps the newest messages that fit, the system prompt first, and always the question", async () => {
    const conversation = await chat.createConversation(t.db, userId, {});
    for (let i = 0; i < 8; i++) {
      await chat.createExchange(t.db, {
        userId,
        conversation: { id: conversation.id },
        content: `question ${i} ${"x".repeat(400)}`,
        clientMessageId: newClientId(),
        parent: "tip",
        model: "m",
        leaseExpiresAt: new Date(),
      });
      const tip = await t.db.prisma.message.findFirst({
        where: { conversationId: conversation.id, active: true },
        orderBy: { depth: "desc" },
      });
      await chat.finishReply(
        t.db,
        { userId, messageId: tip!.id },
        { status: "complete", content: `answer ${i}` },
      );
    }
    const prompt = await buildPrompt(t.db, {
      userId,
      conversationId: conversation.id,
      replyDepth: 15, // the last reply
      systemPrompt: "Be brief.",
      tokenBudget: 400,
    });
    expect(prompt[0]).toEqual({ role: "system", content: "Be brief." });
    expect(prompt.at(-1)?.content).toMatch(/^question 7 /);
    expect(prompt[1]?.role).toBe("user");
    expect(prompt.length).toBeLessThan(16);
    const tiny = await buildPrompt(t.db, {
      userId,
      conversationId: conversation.id,
      replyDepth: 15,
      systemPrompt: null,
      tokenBudget: 1,
    });
    expect(tiny.map((m) => m.content.slice(0, 10))).toEqual(["question 7"]);
  });
});

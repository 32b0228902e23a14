import { chat, type Database } from "@parley/db";
import { backendName, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProgressSaver } from "../src/features/chat/progress";
import { createDatabaseWithUser } from "./chat-support";

const where = backendName();

describe(`reply progress saves (${where})`, () => {
  let t: TestDatabase;
  let userId: string;
  let conversationId: string;
  beforeAll(async () => {
    ({ t, userId } = await createDatabaseWithUser("saver"));
    conversationId = (await chat.createConversation(t.db, userId, {})).id;
  });
  afterAll(() => t?.cleanup());

  const streamingReply = async (depth: number) =>
    (
      await t.db.prisma.message.create({
        data: { conversationId, userId, depth, role: "assistant", status: "streaming" },
      })
    ).id;
  const contentOf = async (id: string) =>
    (await t.db.prisma.message.findUniqueOrThrow({ where: { userId_id: { userId, id } } })).content;

  it("writes every generating reply in one statement per flush and tells a lost one", async () => {
    // Every statement the saver sends, counted; the timers are too slow to fire here.
    let statements = 0;
    const counted: Database = {
      ...t.db,
      sql: {
        ...t.db.sql,
        query: (text, params) => {
          statements++;
          return t.db.sql.query(text, params);
        },
      },
    };
    const saver = new ProgressSaver(
      counted,
      { leaseMs: 600_000, saveIntervalMs: 60_000 },
      () => {},
    );
    const ids = [await streamingReply(1), await streamingReply(3), await streamingReply(5)];
    const lost: string[] = [];
    const replies = ids.map((id) => saver.track(id, userId, () => lost.push(id)));

    replies.forEach((reply, i) => reply.update(`partial ${i}`));
    await saver.flush();
    expect(statements).toBe(1);
    expect(await Promise.all(ids.map(contentOf))).toEqual(["partial 0", "partial 1", "partial 2"]);

    // Nothing changed and no lease is due: nothing to write.
    await saver.flush();
    expect(statements).toBe(1);

    await chat.finishReply(
      t.db,
      { userId, messageId: ids[1]! },
      { status: "stopped", content: "stopped elsewhere" },
    );
    replies.forEach((reply, i) => reply.update(`more ${i}`));
    await saver.flush();
    expect(statements).toBe(2);
    expect(lost).toEqual([ids[1]]);
    expect(await Promise.all(ids.map(contentOf))).toEqual([
      "more 0",
      "stopped elsewhere",
      "more 2",
    ]);
    await Promise.all(replies.map((reply) => reply.stop()));
  });
});

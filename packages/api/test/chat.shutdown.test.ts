import { chat } from "@parley/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  collectStream,
  createChatTestContext,
  newClientId,
  type ChatTestContext,
} from "./chat-support";

/**
 * A conversation's first reply is followed by a title request and its write. Closing the
 * runtime (a shutdown) right after the reply must wait for that write, bounded by the grace
 * period, so the database is never closed under it.
 */

let t: ChatTestContext | undefined;
const logged: string[] = [];
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeEach(() => {
  logged.length = 0;
  rejections.length = 0;
  process.on("unhandledRejection", onRejection);
});
afterEach(async () => {
  process.off("unhandledRejection", onRejection);
  await t?.cleanup();
  t = undefined;
});

/** Sends a first message, reads its reply to the end, closes the runtime at once. */
async function replyThenClose(shutdownGraceMs: number, titleDelayMs: number) {
  t = await createChatTestContext({
    settings: { shutdownGraceMs },
    log: (message) => logged.push(message),
  });
  const user = await t.register(`shutdown_${shutdownGraceMs}`);
  const api = await t.as(user);
  t.fixture.enqueue({ reply: "Paris." }, { reply: "Capital of France", ttftMs: titleDelayMs });
  const sent = await api.chat.send({
    content: "What is the capital of France?",
    clientMessageId: newClientId(),
  });
  const streamed = await collectStream(
    await api.chat.stream({ messageId: sent.assistantMessage.id }),
  );
  expect(streamed.final?.status).toBe("complete");
  await t.deps.chat!.close();
  // Read straight after close: the write must have landed by now.
  const conversation = await chat.getConversation(t.deps.db, user.id, sent.conversation.id);
  return conversation?.title;
}

describe("closing the chat runtime right after a reply", () => {
  it("waits for the model's title and its write", async () => {
    expect(await replyThenClose(2_000, 300)).toBe("Capital of France");
    expect(logged.filter((m) => /fail/i.test(m))).toEqual([]);
    expect(rejections).toEqual([]);
  });

  it("past the grace period, cuts the title request off and writes the stand-in from the question", async () => {
    expect(await replyThenClose(50, 3_000)).toBe("What is the capital of France?");
    expect(logged.filter((m) => /fail/i.test(m))).toEqual([]);
    expect(rejections).toEqual([]);
  });
});

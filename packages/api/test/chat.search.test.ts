import { search } from "@parley/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Registered } from "./support";
import {
  collectStream,
  createChatTestContext,
  newClientId,
  type ChatTestContext,
} from "./chat-support";

const backend = `${process.env.DATABASE_URL ? "Postgres" : "PGlite"}${process.env.REDIS_URL ? " + Redis" : ""}`;
const { MARK_START: S, MARK_END: E } = search;

let t: ChatTestContext;
let dana: Registered;
let api: Awaited<ReturnType<ChatTestContext["as"]>>;

beforeAll(async () => {
  t = await createChatTestContext();
  dana = await t.register("dana-search");
  api = await t.as(dana);
});
afterAll(() => t?.cleanup());

async function chatWith(content: string, title?: string) {
  const conversation = title ? await api.chat.conversations.create({ title }) : undefined;
  const sent = await api.chat.send({
    content,
    clientMessageId: newClientId(),
    ...(conversation ? { conversationId: conversation.id } : {}),
  });
  await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }));
  return sent.conversation.id;
}

describe(`search (${backend})`, () => {
  it("stems English and Russian words and marks them in a snippet", async () => {
    const english = await chatWith("Yesterday the children were running through the orchard");
    const russian = await chatWith("Вчера дети играли с кошками во дворе");

    const runs = await api.chat.conversations.search({ query: "runs" });
    expect(runs.items.map((i) => i.id)).toEqual([english]);
    expect(runs.items[0]!.snippet).toContain(`${S}running${E}`);
    expect(runs.items[0]!.messageId).toEqual(expect.any(String));

    const cats = await api.chat.conversations.search({ query: "кошки" });
    expect(cats.items.map((i) => i.id)).toEqual([russian]);
    expect(cats.items[0]!.snippet).toContain(`${S}кошками${E}`);
    // The snippet is a short window of the message, not the message.
    expect(cats.items[0]!.snippet!.replaceAll(S, "").replaceAll(E, "")).toContain(
      "играли с кошками",
    );

    // Prefixes still match while a word is being typed; syntax characters are not syntax.
    expect(
      (await api.chat.conversations.search({ query: "orcha" })).items.map((i) => i.id),
    ).toEqual([english]);
    expect((await api.chat.conversations.search({ query: "&|!():*" })).items).toEqual([]);
    expect((await api.chat.conversations.search({ query: "nowhere" })).items).toEqual([]);
  });

  it("ranks a title match first, then denser text, and marks the title", async () => {
    // Titled by hand: an automatic title would repeat the question's words.
    const sparse = await chatWith(
      "a note that mentions quasars once among many other words of text",
      "Sky notes",
    );
    const dense = await chatWith("quasars quasars: the quasars are bright", "Bright things");
    const titled = await chatWith("nothing about it here", "Quasars explained");

    const found = await api.chat.conversations.search({ query: "quasar" });
    expect(found.items.map((i) => i.id)).toEqual([titled, dense, sparse]);
    expect(found.items[0]!.titleMarked).toBe(`${S}Quasars${E} explained`);
    expect(found.items[0]!.snippet).toBeNull();
    const ranks = found.items.map((i) => i.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });

  it("finds archived conversations and says they are archived", async () => {
    const id = await chatWith("an archived remark about narwhals");
    await api.chat.conversations.update({ id, archived: true });
    const found = await api.chat.conversations.search({ query: "narwhal" });
    expect(found.items).toMatchObject([{ id, archived: true }]);
  });

  it("never shows another user's conversations", async () => {
    await chatWith("private thoughts on axolotls");
    const eve = await t.as(await t.register("eve-search"));
    expect((await eve.chat.conversations.search({ query: "axolotl" })).items).toEqual([]);
    expect((await api.chat.conversations.search({ query: "axolotl" })).items).toHaveLength(1);
  });
});

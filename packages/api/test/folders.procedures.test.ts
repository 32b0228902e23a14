import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryHistoryCache } from "../src";
import {
  collectStream,
  twoChatUsers,
  type ChatCaller,
  eventually,
  newClientId,
  type ChatTestContext,
} from "./chat-support";
import { codeOf } from "./support";

let t: ChatTestContext;
let asAlice: ChatCaller;
let asBob: ChatCaller;

beforeAll(async () => {
  ({ t, asAlice, asBob } = await twoChatUsers("folders"));
  // List pages cached per user, as the server has them: a write that did not forget the
  // caller's cache (the procedure middleware does) would show a stale list below.
  t.deps.historyCache = createMemoryHistoryCache();
});
afterAll(async () => {
  await t?.deps.historyCache?.close();
  await t?.cleanup();
});

async function chatOf(api: typeof asAlice, content: string) {
  const sent = await api.chat.send({ content, clientMessageId: newClientId() });
  await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }));
  // The title is written after the reply's stream ends: waited for, so no write of it is
  // still in flight when the database closes.
  const id = sent.conversation.id;
  await eventually(async () =>
    (await api.chat.conversations.get({ id })).title !== "New chat" ? true : undefined,
  );
  return id;
}

const titlesIn = async (api: typeof asAlice, folderId: string | null) =>
  (await api.chat.conversations.list({ folderId, limit: 100 })).items.map((c) => c.id);

describe("folders", () => {
  it("creates, lists, renames and deletes folders; deleting one keeps its chats, moved out", async () => {
    const work = await asAlice.folders.create({ name: "  Work  " });
    expect(work.name).toBe("Work");
    const home = await asAlice.folders.create({ name: "Home" });
    expect((await asAlice.folders.list()).map((f) => f.name)).toEqual(["Work", "Home"]);

    const a = await chatOf(asAlice, "first in work");
    const b = await chatOf(asAlice, "second, unfiled");
    // Read (and cache) the lists before moving.
    expect(await titlesIn(asAlice, work.id)).toEqual([]);
    expect(await titlesIn(asAlice, null)).toEqual(expect.arrayContaining([a, b]));

    await asAlice.chat.conversations.move({ id: a, folderId: work.id });
    expect(await titlesIn(asAlice, work.id)).toEqual([a]);
    expect(await titlesIn(asAlice, null)).not.toContain(a);
    expect(await titlesIn(asAlice, null)).toContain(b);
    expect((await asAlice.chat.conversations.get({ id: a })).folderId).toBe(work.id);
    // Without a folder filter the list holds every chat, each naming its folder.
    const all = (await asAlice.chat.conversations.list({ limit: 100 })).items;
    expect(all.find((c) => c.id === a)?.folderId).toBe(work.id);
    expect(all.find((c) => c.id === b)?.folderId).toBeNull();

    // Moving from one folder to another, then out.
    await asAlice.chat.conversations.move({ id: a, folderId: home.id });
    expect(await titlesIn(asAlice, home.id)).toEqual([a]);
    expect(await titlesIn(asAlice, work.id)).toEqual([]);
    await asAlice.chat.conversations.move({ id: a, folderId: null });
    expect(await titlesIn(asAlice, home.id)).toEqual([]);
    expect(await titlesIn(asAlice, null)).toContain(a);

    const renamed = await asAlice.folders.rename({ id: home.id, name: "Family" });
    expect(renamed.name).toBe("Family");
    expect((await asAlice.folders.list()).map((f) => f.name)).toEqual(["Work", "Family"]);

    await asAlice.chat.conversations.move({ id: b, folderId: work.id });
    expect(await titlesIn(asAlice, work.id)).toEqual([b]);
    await asAlice.folders.delete({ id: work.id });
    expect((await asAlice.folders.list()).map((f) => f.name)).toEqual(["Family"]);
    const kept = await asAlice.chat.conversations.get({ id: b });
    expect(kept.folderId).toBeNull();
    expect(await titlesIn(asAlice, null)).toContain(b);
    expect((await asAlice.chat.messages.list({ conversationId: b })).items).toHaveLength(2);
    expect(await codeOf(asAlice.folders.delete({ id: work.id }))).toBe("NOT_FOUND");
  });

  it("refuses another user's folders and conversations with NOT_FOUND, changing nothing", async () => {
    const folder = await asAlice.folders.create({ name: "Private" });
    const chatId = await chatOf(asAlice, "alice's chat");
    await asAlice.chat.conversations.move({ id: chatId, folderId: folder.id });
    const bobsFolder = await asBob.folders.create({ name: "Bob's" });
    const bobsChat = await chatOf(asBob, "bob's chat");

    expect(await asBob.folders.list()).toEqual([bobsFolder]);
    expect(await codeOf(asBob.folders.rename({ id: folder.id, name: "Mine" }))).toBe("NOT_FOUND");
    expect(await codeOf(asBob.folders.delete({ id: folder.id }))).toBe("NOT_FOUND");
    // Bob can neither list what is in Alice's folder, nor move her chat, nor file his chat
    // in her folder, nor hers in his.
    expect(await titlesIn(asBob, folder.id)).toEqual([]);
    expect(
      await codeOf(asBob.chat.conversations.move({ id: chatId, folderId: bobsFolder.id })),
    ).toBe("NOT_FOUND");
    expect(await codeOf(asBob.chat.conversations.move({ id: chatId, folderId: null }))).toBe(
      "NOT_FOUND",
    );
    expect(await codeOf(asBob.chat.conversations.move({ id: bobsChat, folderId: folder.id }))).toBe(
      "NOT_FOUND",
    );
    expect(
      await codeOf(asAlice.chat.conversations.move({ id: chatId, folderId: bobsFolder.id })),
    ).toBe("NOT_FOUND");

    const folders = await asAlice.folders.list();
    expect(folders.find((f) => f.id === folder.id)?.name).toBe("Private");
    expect((await asAlice.chat.conversations.get({ id: chatId })).folderId).toBe(folder.id);
    expect((await asBob.chat.conversations.get({ id: bobsChat })).folderId).toBeNull();
  });

  it("validates names and limits", async () => {
    expect(await codeOf(asAlice.folders.create({ name: "   " }))).toBe("BAD_REQUEST");
    expect(await codeOf(asAlice.folders.create({ name: "x".repeat(101) }))).toBe("BAD_REQUEST");
    expect(await codeOf(asAlice.chat.conversations.bulkArchive({ ids: [] as string[] }))).toBe(
      "BAD_REQUEST",
    );
  });
});

describe("bulk archive and delete", () => {
  it("archives and deletes a selection; the lists show it at once", async () => {
    const ids = [
      await chatOf(asAlice, "bulk one"),
      await chatOf(asAlice, "bulk two"),
      await chatOf(asAlice, "bulk three"),
    ];
    const active = async () =>
      (await asAlice.chat.conversations.list({ limit: 100 })).items.map((c) => c.id);
    const archived = async () =>
      (await asAlice.chat.conversations.list({ limit: 100, archived: true })).items.map(
        (c) => c.id,
      );
    expect(await active()).toEqual(expect.arrayContaining(ids));

    const done = await asAlice.chat.conversations.bulkArchive({ ids: [ids[0]!, ids[1]!] });
    expect(done.ids.sort()).toEqual([ids[0]!, ids[1]!].sort());
    expect(await active()).not.toContain(ids[0]);
    expect(await active()).not.toContain(ids[1]);
    expect(await active()).toContain(ids[2]);
    expect(await archived()).toEqual(expect.arrayContaining([ids[0], ids[1]]));

    await asAlice.chat.conversations.bulkArchive({ ids: [ids[1]!], archived: false });
    expect(await active()).toContain(ids[1]);

    await asAlice.chat.conversations.bulkDelete({ ids: [ids[0]!, ids[2]!] });
    for (const id of [ids[0]!, ids[2]!])
      expect(await codeOf(asAlice.chat.conversations.get({ id }))).toBe("NOT_FOUND");
    expect(await active()).toContain(ids[1]);
    expect(await archived()).not.toContain(ids[0]);
  });

  it("a selection with one foreign (or unknown) id changes nothing and is NOT_FOUND", async () => {
    const mine = [await chatOf(asAlice, "keep me 1"), await chatOf(asAlice, "keep me 2")];
    const bobs = await chatOf(asBob, "bob keeps this");
    const unknown = "00000000-0000-4000-8000-000000000000";

    for (const foreign of [bobs, unknown]) {
      expect(
        await codeOf(asAlice.chat.conversations.bulkArchive({ ids: [...mine, foreign] })),
      ).toBe("NOT_FOUND");
      expect(await codeOf(asAlice.chat.conversations.bulkDelete({ ids: [...mine, foreign] }))).toBe(
        "NOT_FOUND",
      );
    }
    // Bob's own selection of Alice's chats: refused too.
    expect(await codeOf(asBob.chat.conversations.bulkArchive({ ids: mine }))).toBe("NOT_FOUND");
    expect(await codeOf(asBob.chat.conversations.bulkDelete({ ids: [bobs, mine[0]!] }))).toBe(
      "NOT_FOUND",
    );

    for (const id of mine) {
      const c = await asAlice.chat.conversations.get({ id });
      expect(c.archived).toBe(false);
    }
    const bobsChat = await asBob.chat.conversations.get({ id: bobs });
    expect(bobsChat.archived).toBe(false);
    expect((await asBob.chat.messages.list({ conversationId: bobs })).items).toHaveLength(2);
    expect((await asAlice.chat.conversations.list({ limit: 100 })).items.map((c) => c.id)).toEqual(
      expect.arrayContaining(mine),
    );
  });

  it("an API key without the chat scope cannot file, archive or delete", async () => {
    const id = await chatOf(asAlice, "scoped");
    const key = await asAlice.auth.apiKeys.create({ name: "reader", scopes: ["read"] });
    const { api } = await t.caller({ token: key.secret });
    expect(await codeOf(api.folders.create({ name: "nope" }))).toBe("FORBIDDEN");
    expect(await codeOf(api.chat.conversations.bulkArchive({ ids: [id] }))).toBe("FORBIDDEN");
    expect(await codeOf(api.chat.conversations.bulkDelete({ ids: [id] }))).toBe("FORBIDDEN");
    expect(await codeOf(api.chat.conversations.move({ id, folderId: null }))).toBe("FORBIDDEN");
    expect(Array.isArray(await api.folders.list())).toBe(true);
  });
});

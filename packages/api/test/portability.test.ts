import { readFileSync } from "node:fs";
import { portability } from "@parley/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportHistory, importHistory, importLimits } from "../src";
import { folderLimits } from "../src/features/folders/schemas";
import { presetLimits } from "../src/features/presets/schemas";
import {
  collectStream,
  createChatTestContext,
  newClientId,
  type ChatTestContext,
} from "./chat-support";
import { codeOf, type Registered } from "./support";

const chatgptExport = readFileSync(
  new URL("./fixtures/chatgpt-conversations.json", import.meta.url),
  "utf8",
);

let t: ChatTestContext;
type Api = Awaited<ReturnType<ChatTestContext["as"]>>;

beforeAll(async () => {
  t = await createChatTestContext();
});
afterAll(() => t?.cleanup());

async function user(name: string): Promise<{ user: Registered; api: Api }> {
  const registered = await t.register(name);
  return { user: registered, api: await t.as(registered) };
}

async function exportText(userId: string): Promise<string> {
  let text = "";
  for await (const piece of exportHistory(t.deps, userId)) text += piece;
  return text;
}

async function allConversations(api: Api) {
  const open = await api.chat.conversations.list({ limit: 100 });
  const archived = await api.chat.conversations.list({ limit: 100, archived: true });
  return [...open.items, ...archived.items];
}

/** A user's history as a tree without ids: what must survive an export and an import. */
async function historyShape(userId: string) {
  const history = JSON.parse(await exportText(userId)) as {
    folders: Array<{ id: string; name: string }>;
    conversations: Array<{
      title: string;
      model: string | null;
      systemPrompt: string | null;
      temperature: number | null;
      pinned: boolean;
      archived: boolean;
      createdAt: string;
      updatedAt: string;
      id: string;
      folderId: string | null;
      messages: Array<
        {
          id: string;
          parentId: string | null;
          role: string;
          content: string;
          rating: "up" | "down" | null;
        } & Record<string, unknown>
      >;
    }>;
  };
  return history.conversations
    .map(({ messages, id: _conversationId, folderId, ...c }) => {
      const index = new Map(messages.map((m, i) => [m.id, i]));
      return {
        ...c,
        folder: history.folders.find((f) => f.id === folderId)?.name ?? null,
        messages: messages.map(({ id: _, parentId, attachments: __, ...m }) => ({
          ...m,
          parent: parentId === null ? null : index.get(parentId),
        })),
      };
    })
    .sort((a, b) => a.title.localeCompare(b.title));
}

describe("importing a ChatGPT export", () => {
  it("brings over conversations with their branches, the branch on screen active, and reports what it left out", async () => {
    const { user: ann, api } = await user("import_ann");
    const result = await importHistory(t.deps, ann.id, chatgptExport);
    expect(result).toMatchObject({ source: "chatgpt", conversations: 2, messages: 6 });
    expect(result.warnings).toEqual([
      "“Trip to Kazan”: 1 tool message left out",
      "“Trip to Kazan”: 1 image not included (ChatGPT's conversations.json holds no image files)",
    ]);

    const [trip] = (await api.chat.conversations.list({ limit: 10 })).items;
    expect(trip).toMatchObject({ title: "Trip to Kazan", model: "gpt-4o", archived: false });
    expect(trip!.createdAt.toISOString()).toBe("2024-10-27T03:33:20.123Z");
    // The active branch follows current_node: the second question, with its photo.
    const page = await api.chat.messages.list({ conversationId: trip!.id });
    expect(page.items.map((m) => [m.role, m.content])).toEqual([
      ["user", "Plan two days in Kazan for me, please."],
      ["assistant", "**Day 1:** the Kremlin and Bauman Street.\n**Day 2:** the Old Tatar Quarter."],
      ["user", "Что это за здание на фото? И что там поесть?"],
      ["assistant", "Это мечеть Кул-Шариф.\n\n```python\nprint('эчпочмак')\n```"],
    ]);
    expect(page.items[1]).toMatchObject({ model: "gpt-4o", status: "complete" });
    // The other branch is there, a sibling of the active question.
    const question = page.items[2]!;
    expect(question.siblingIds).toHaveLength(2);
    const other = question.siblingIds.find((id) => id !== question.id)!;
    await api.chat.messages.switchBranch({ messageId: other });
    const switched = await api.chat.messages.list({ conversationId: trip!.id });
    expect(switched.items.slice(2).map((m) => m.content)).toEqual([
      "What should I eat there?",
      "Try echpochmak and chak-chak.",
    ]);

    const archived = await api.chat.conversations.list({ limit: 10, archived: true });
    expect(archived.items.map((c) => c.title)).toEqual(["Empty draft"]);
    expect((await api.chat.messages.list({ conversationId: archived.items[0]!.id })).items).toEqual(
      [],
    );
  });

  it("reports unknown content and missing fields instead of failing", async () => {
    const { user: cy, api } = await user("import_cy");
    const odd = [
      {
        mapping: {
          a: { id: "a", message: null, parent: null, children: ["b"] },
          b: {
            id: "b",
            parent: "a",
            children: ["c"],
            message: { author: { role: "user" }, content: { content_type: "text", parts: ["hi"] } },
          },
          c: {
            id: "c",
            parent: "b",
            children: [],
            message: { author: { role: "assistant" }, content: { content_type: "hologram" } },
          },
        },
      },
    ];
    const result = await importHistory(t.deps, cy.id, JSON.stringify(odd));
    expect(result.warnings).toEqual([
      "“Imported conversation 1”: 1 message of an unsupported kind (hologram) left out",
    ]);
    const [conversation] = (await api.chat.conversations.list({ limit: 10 })).items;
    const page = await api.chat.messages.list({ conversationId: conversation!.id });
    expect(page.items.map((m) => m.content)).toEqual(["hi"]);
  });
});

describe("Parley's own export, imported back", () => {
  it("round trip: export → import → the same conversations, messages, branches, folders and presets", async () => {
    const { user: dee, api } = await user("roundtrip_dee");
    // A conversation with a regenerated reply and an edited question: three branches.
    const sent = await api.chat.send({ content: "First question", clientMessageId: newClientId() });
    await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }));
    const again = await api.chat.regenerate({ messageId: sent.assistantMessage.id });
    await collectStream(await api.chat.stream({ messageId: again.assistantMessage.id }));
    const follow = await api.chat.send({
      content: "Follow-up",
      clientMessageId: newClientId(),
      conversationId: sent.conversation.id,
    });
    await collectStream(await api.chat.stream({ messageId: follow.assistantMessage.id }));
    const edited = await api.chat.send({
      content: "Follow-up, reworded",
      clientMessageId: newClientId(),
      conversationId: sent.conversation.id,
      parentId: again.assistantMessage.id,
    });
    await collectStream(await api.chat.stream({ messageId: edited.assistantMessage.id }));
    // Back to the first wording: the active branch is not simply the newest one.
    await api.chat.messages.switchBranch({ messageId: follow.userMessage.id });
    await api.chat.conversations.update({
      id: sent.conversation.id,
      title: "Branches",
      systemPrompt: "Answer briefly.",
      temperature: 0.4,
      pinned: true,
    });
    const second = await api.chat.conversations.create({ title: "Archived one" });
    await api.chat.conversations.update({ id: second.id, archived: true });
    // Thumbs on replies, on and off the visible branch; the follow-up's reply stays unrated.
    await api.feedback.set({ messageId: sent.assistantMessage.id, rating: "down" });
    await api.feedback.set({ messageId: again.assistantMessage.id, rating: "up" });
    await api.feedback.set({ messageId: edited.assistantMessage.id, rating: "down" });
    // Folders (one empty) and presets.
    const work = await api.folders.create({ name: "Work" });
    await api.folders.create({ name: "Someday" });
    await api.chat.conversations.move({ id: sent.conversation.id, folderId: work.id });
    const terse = {
      name: "Terse",
      systemPrompt: "One sentence.",
      model: "echo-large",
      temperature: 0.2,
    };
    const plain = { name: "Plain", systemPrompt: null, model: null, temperature: null };
    await api.presets.create(terse);
    await api.presets.create(plain);

    const before = await historyShape(dee.id);
    expect(before.map((c) => [c.title, c.messages.length, c.folder])).toEqual([
      ["Archived one", 0, null],
      ["Branches", 7, "Work"],
    ]);
    expect(before[1]!.messages.map((m) => [m.role, m.content, m.rating])).toEqual([
      ["user", "First question", null],
      ["assistant", "Echo: First question", "down"],
      ["assistant", "Echo: First question", "up"],
      ["user", "Follow-up", null],
      ["user", "Follow-up, reworded", null],
      ["assistant", "Echo: Follow-up", null],
      ["assistant", "Echo: Follow-up, reworded", "down"],
    ]);

    const { user: eve, api: eveApi } = await user("roundtrip_eve");
    const result = await importHistory(t.deps, eve.id, await exportText(dee.id));
    expect(result).toMatchObject({
      source: "parley",
      conversations: 2,
      messages: 7,
      folders: 2,
      presets: 2,
      warnings: [],
    });
    expect(await historyShape(eve.id)).toEqual(before);
    const presetFields = (list: Awaited<ReturnType<typeof eveApi.presets.list>>) =>
      list.map(({ name, systemPrompt, model, temperature }) => ({
        name,
        systemPrompt,
        model,
        temperature,
      }));
    expect(presetFields(await eveApi.presets.list())).toEqual([plain, terse]);
    const eveFolders = await eveApi.folders.list();
    expect(eveFolders.map((f) => f.name)).toEqual(["Work", "Someday"]);
    expect(eveFolders[0]!.id).not.toBe(work.id);

    // And the imported copy reads as the original does.
    const mine = (await api.chat.messages.list({ conversationId: sent.conversation.id })).items;
    const [copy] = (await eveApi.chat.conversations.list({ limit: 10 })).items;
    const theirs = (await eveApi.chat.messages.list({ conversationId: copy!.id })).items;
    expect(theirs.map((m) => [m.content, m.siblingIds.length, m.rating])).toEqual(
      mine.map((m) => [m.content, m.siblingIds.length, m.rating]),
    );
    expect(theirs.map((m) => m.rating)).toEqual([null, "up", null, null]);
    // The copy's ratings are the importer's own: changing one leaves the original's alone.
    await eveApi.feedback.set({ messageId: theirs[1]!.id, rating: null });
    const original = (await api.chat.messages.list({ conversationId: sent.conversation.id })).items;
    expect(original.map((m) => m.rating)).toEqual([null, "up", null, null]);
    // Importing is adding: the same file again gives a second copy of each conversation,
    // filed in the folders of the same name; the same presets are not added twice.
    const again2 = await importHistory(t.deps, eve.id, await exportText(dee.id));
    expect(again2).toMatchObject({ folders: 0, presets: 0, warnings: [] });
    const all = await allConversations(eveApi);
    expect(all).toHaveLength(4);
    expect((await eveApi.folders.list()).map((f) => f.id)).toEqual(eveFolders.map((f) => f.id));
    expect(
      all.filter((c) => c.title === "Branches").map((c) => c.folderId === eveFolders[0]!.id),
    ).toEqual([true, true]);
    expect(presetFields(await eveApi.presets.list())).toEqual([plain, terse]);
  });

  it("keeps the importer's own folders and presets: a folder of the same name is reused, a different preset of the same name gets a free name", async () => {
    const { user: lee, api: leeApi } = await user("roundtrip_lee");
    const folder = await leeApi.folders.create({ name: "Reading" });
    await leeApi.presets.create({
      name: "Tutor",
      systemPrompt: "Explain step by step.",
      model: null,
      temperature: null,
    });
    const { user: max, api: maxApi } = await user("roundtrip_max");
    const own = await maxApi.chat.conversations.create({ title: "Max's own" });
    const maxFolder = await maxApi.folders.create({ name: "Reading" });
    await maxApi.chat.conversations.move({ id: own.id, folderId: maxFolder.id });
    const maxTutor = await maxApi.presets.create({
      name: "Tutor",
      systemPrompt: "Answer in Russian.",
      model: null,
      temperature: 1,
    });
    const copied = await leeApi.chat.conversations.create({ title: "Copied" });
    await leeApi.chat.conversations.move({ id: copied.id, folderId: folder.id });

    const result = await importHistory(t.deps, max.id, await exportText(lee.id));
    expect(result).toMatchObject({ folders: 0, presets: 1 });
    expect(result.warnings).toEqual([
      "Preset “Tutor” imported as “Tutor (2)”: you already have a different “Tutor”",
    ]);
    // Max's folder now holds both his conversation and the imported one.
    expect((await maxApi.folders.list()).map((f) => [f.id, f.name])).toEqual([
      [maxFolder.id, "Reading"],
    ]);
    const filed = (await allConversations(maxApi)).map((c) => [c.title, c.folderId]);
    expect(filed.sort()).toEqual([
      ["Copied", maxFolder.id],
      ["Max's own", maxFolder.id],
    ]);
    const maxPresets = await maxApi.presets.list();
    expect(maxPresets.map((p) => [p.name, p.systemPrompt, p.temperature])).toEqual([
      ["Tutor", "Answer in Russian.", 1],
      ["Tutor (2)", "Explain step by step.", null],
    ]);
    expect(maxPresets[0]!.id).toBe(maxTutor.id);
  });

  it("the account limits the import keeps to are the folders' and presets' own", () => {
    expect(importLimits.accountFolders).toBe(folderLimits.perUser);
    expect(importLimits.accountPresets).toBe(presetLimits.perUser);
    expect(importLimits.name).toBe(presetLimits.name);
  });

  it("takes one conversation's JSON export (its branch) as well", async () => {
    const { user: fay, api } = await user("import_fay");
    const sent = await api.chat.send({ content: "Only branch", clientMessageId: newClientId() });
    await collectStream(await api.chat.stream({ messageId: sent.assistantMessage.id }));
    const file = await api.chat.conversations.export({ id: sent.conversation.id, format: "json" });
    const result = await importHistory(t.deps, fay.id, file.content);
    expect(result).toMatchObject({ source: "parley", conversations: 1, messages: 2 });
    const copies = (await api.chat.conversations.list({ limit: 10 })).items;
    expect(copies).toHaveLength(2);
    const copy = copies.find((c) => c.id !== sent.conversation.id)!;
    const page = await api.chat.messages.list({ conversationId: copy.id });
    expect(page.items.map((m) => [m.role, m.content, m.depth])).toEqual([
      ["user", "Only branch", 0],
      ["assistant", "Echo: Only branch", 1],
    ]);
  });
});

describe("bad files", () => {
  it("refuses what is not an export with a clear message, and imports nothing", async () => {
    const { user: gus, api } = await user("import_gus");
    const cases: Array<[string, RegExp]> = [
      ["not json at all", /not JSON/],
      ["[1, 2, 3]", /neither a ChatGPT export .* nor a Parley export/],
      ["[]", /neither a ChatGPT export|no conversations/],
      [
        JSON.stringify({ format: "parley.history", version: 1, conversations: [{ title: 3 }] }),
        /damaged: conversations\.0\.title/,
      ],
      [
        JSON.stringify({
          format: "parley.history",
          conversations: [
            {
              title: "Orphans",
              createdAt: "2026-01-01T00:00:00.000Z",
              updatedAt: "2026-01-01T00:00:00.000Z",
              messages: [
                {
                  id: "m1",
                  parentId: "missing",
                  role: "user",
                  content: "x",
                  createdAt: "2026-01-01T00:00:00.000Z",
                },
              ],
            },
          ],
        }),
        /“Orphans”: message m1 comes before its parent missing/,
      ],
      [
        JSON.stringify({
          format: "parley.history",
          conversations: [
            {
              title: "Odd rating",
              createdAt: "2026-01-01T00:00:00.000Z",
              updatedAt: "2026-01-01T00:00:00.000Z",
              messages: [
                {
                  id: "m1",
                  role: "assistant",
                  content: "x",
                  rating: "meh",
                  createdAt: "2026-01-01T00:00:00.000Z",
                },
              ],
            },
          ],
        }),
        /damaged: conversations\.0\.messages\.0\.rating/,
      ],
    ];
    for (const [text, message] of cases) {
      const error = await importHistory(t.deps, gus.id, text).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe("BAD_REQUEST");
      expect((error as Error).message).toMatch(message);
    }
    expect(await allConversations(api)).toEqual([]);
  });

  it("a file that fails while being stored leaves nothing behind (one transaction)", async () => {
    const { user: hal, api } = await user("import_hal");
    const conversation = (title: string, promptTokens: number) => ({
      title,
      model: null,
      systemPrompt: null,
      temperature: null,
      pinned: false,
      archived: false,
      createdAt: new Date(),
      updatedAt: new Date(),
      messages: [
        {
          key: "m",
          parentKey: null,
          role: "user" as const,
          content: "hello",
          status: "complete" as const,
          model: null,
          error: null,
          promptTokens,
          completionTokens: null,
          createdAt: new Date(),
          active: true,
        },
      ],
    });
    // The second conversation's message cannot be stored (an integer column overflows).
    const failed = await portability
      .importConversations(t.deps.db, hal.id, [
        conversation("fine", 1),
        conversation("bad", 2 ** 40),
      ])
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(await allConversations(api)).toEqual([]);
  });

  it("an export's token counts beyond what a column holds are refused up front", async () => {
    const { user: ida } = await user("import_ida");
    const file = {
      format: "parley.history",
      conversations: [
        {
          title: "Big",
          createdAt: "2026-01-01T00:00:00.000Z",
          updatedAt: "2026-01-01T00:00:00.000Z",
          messages: [
            {
              id: "m1",
              role: "assistant",
              content: "x",
              promptTokens: 2 ** 40,
              createdAt: "2026-01-01T00:00:00.000Z",
            },
          ],
        },
      ],
    };
    expect(await codeOf(importHistory(t.deps, ida.id, JSON.stringify(file)))).toBe("BAD_REQUEST");
  });

  it("an import lands in the caller's account only", async () => {
    const { user: jo, api: joApi } = await user("import_jo");
    const { api: kimApi } = await user("import_kim");
    await importHistory(t.deps, jo.id, chatgptExport);
    expect(await allConversations(joApi)).toHaveLength(2);
    expect(await allConversations(kimApi)).toEqual([]);
    const [trip] = (await joApi.chat.conversations.list({ limit: 10 })).items;
    expect(await codeOf(kimApi.chat.messages.list({ conversationId: trip!.id }))).toBe("NOT_FOUND");
  });

  it("an import cannot touch another user's folders or presets, even naming their ids", async () => {
    const { user: ned, api: nedApi } = await user("import_ned");
    const { api: olaApi } = await user("import_ola");
    const olaFolder = await olaApi.folders.create({ name: "Private" });
    const olaOther = await olaApi.folders.create({ name: "Other" });
    const olaChat = await olaApi.chat.conversations.create({ title: "Ola's" });
    await olaApi.chat.conversations.move({ id: olaChat.id, folderId: olaFolder.id });
    await olaApi.presets.create({
      name: "Mine",
      systemPrompt: "Ola's",
      model: null,
      temperature: null,
    });
    const conversation = (title: string, folderId: string) => ({
      title,
      folderId,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      messages: [],
    });
    // A hand-made file naming Ola's folder by its id, listed and not.
    const file = {
      format: "parley.history",
      folders: [{ id: olaFolder.id, name: "Private" }],
      presets: [{ name: "Mine", systemPrompt: "Ned's", model: null, temperature: null }],
      conversations: [
        conversation("Listed folder", olaFolder.id),
        conversation("Unlisted folder", olaOther.id),
      ],
    };
    const result = await importHistory(t.deps, ned.id, JSON.stringify(file));
    expect(result).toMatchObject({ conversations: 2, folders: 1, presets: 1, warnings: [] });
    const nedFolders = await nedApi.folders.list();
    expect(nedFolders.map((f) => f.name)).toEqual(["Private"]);
    expect(nedFolders[0]!.id).not.toBe(olaFolder.id);
    const nedChats = await allConversations(nedApi);
    expect(nedChats.map((c) => [c.title, c.folderId]).sort()).toEqual([
      ["Listed folder", nedFolders[0]!.id],
      ["Unlisted folder", null],
    ]);
    // Ola's side is as it was.
    expect((await olaApi.folders.list()).map((f) => [f.id, f.name])).toEqual([
      [olaFolder.id, "Private"],
      [olaOther.id, "Other"],
    ]);
    expect((await allConversations(olaApi)).map((c) => [c.title, c.folderId])).toEqual([
      ["Ola's", olaFolder.id],
    ]);
    expect((await olaApi.presets.list()).map((p) => [p.name, p.systemPrompt])).toEqual([
      ["Mine", "Ola's"],
    ]);
    expect((await nedApi.presets.list()).map((p) => [p.name, p.systemPrompt])).toEqual([
      ["Mine", "Ned's"],
    ]);
  });
});

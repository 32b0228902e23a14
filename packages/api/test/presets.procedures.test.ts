import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectStream,
  twoChatUsers,
  type ChatCaller,
  eventually,
  type ChatTestContext,
} from "./chat-support";
import { codeOf } from "./support";

let t: ChatTestContext;
let asAlice: ChatCaller;
let asBob: ChatCaller;

beforeAll(async () => {
  ({ t, asAlice, asBob } = await twoChatUsers("presets"));
});
afterAll(() => t?.cleanup());

describe("presets", () => {
  it("saves, lists by name, edits and deletes presets", async () => {
    const tutor = await asAlice.presets.create({
      name: " Tutor ",
      systemPrompt: "Explain like a patient teacher.",
      model: "fixture-large",
      temperature: 0.3,
    });
    expect(tutor).toMatchObject({
      name: "Tutor",
      systemPrompt: "Explain like a patient teacher.",
      model: "fixture-large",
      temperature: 0.3,
    });
    // Each setting may be left to the server's default; a blank prompt is none.
    const plain = await asAlice.presets.create({ name: "Plain", systemPrompt: "  " });
    expect(plain).toMatchObject({ systemPrompt: null, model: null, temperature: null });
    expect((await asAlice.presets.list()).map((p) => p.name)).toEqual(["Plain", "Tutor"]);

    expect(await codeOf(asAlice.presets.create({ name: "Tutor" }))).toBe("CONFLICT");
    const edited = await asAlice.presets.update({
      id: tutor.id,
      name: "Strict tutor",
      systemPrompt: "Be strict.",
      model: null,
      temperature: 0,
    });
    expect(edited).toMatchObject({ name: "Strict tutor", model: null, temperature: 0 });
    expect(await codeOf(asAlice.presets.update({ id: plain.id, name: "Strict tutor" }))).toBe(
      "CONFLICT",
    );

    await asAlice.presets.delete({ id: plain.id });
    expect((await asAlice.presets.list()).map((p) => p.name)).toEqual(["Strict tutor"]);
    expect(await codeOf(asAlice.presets.delete({ id: plain.id }))).toBe("NOT_FOUND");
    await asAlice.presets.delete({ id: tutor.id });
  });

  it("starts a conversation from a preset; given fields override it; later edits do not reach it", async () => {
    const preset = await asAlice.presets.create({
      name: "Poet",
      systemPrompt: "Answer in verse.",
      model: "fixture-large",
      temperature: 1.4,
    });
    const started = await asAlice.chat.conversations.create({ presetId: preset.id });
    expect(started).toMatchObject({
      systemPrompt: "Answer in verse.",
      model: "fixture-large",
      temperature: 1.4,
    });
    const overridden = await asAlice.chat.conversations.create({
      presetId: preset.id,
      temperature: 0.2,
    });
    expect(overridden).toMatchObject({ systemPrompt: "Answer in verse.", temperature: 0.2 });

    await asAlice.presets.update({ id: preset.id, name: "Poet", systemPrompt: "Prose now." });
    expect((await asAlice.chat.conversations.get({ id: started.id })).systemPrompt).toBe(
      "Answer in verse.",
    );

    // The system prompt reaches the model when the chat is used.
    const sent = await asAlice.chat.send({
      conversationId: started.id,
      content: "hello",
      clientMessageId: `preset-${Date.now()}`,
    });
    expect(sent.conversation.id).toBe(started.id);
    const call = await eventually(async () =>
      t.fixture.calls.find((c) => c.messages.some((m) => m.content === "Answer in verse.")),
    );
    expect(call.model).toBe("fixture-large");
    expect(call.options.temperature).toBe(1.4);
    await collectStream(await asAlice.chat.stream({ messageId: sent.assistantMessage.id }));
    // Its title is written after the stream ends: waited for before the database closes.
    await eventually(async () =>
      (await asAlice.chat.conversations.get({ id: started.id })).title !== "New chat"
        ? true
        : undefined,
    );
  });

  it("chat.send with a presetId creates the chat at the first message, with the preset's settings", async () => {
    const preset = await asAlice.presets.create({
      name: "Haiku",
      systemPrompt: "Answer in a haiku.",
      model: "fixture-large",
      temperature: 0.7,
    });
    const listed = async () =>
      (await asAlice.chat.conversations.list({ limit: 100 })).items.map((c) => c.id);
    const before = await listed();
    const sent = await asAlice.chat.send({
      presetId: preset.id,
      content: "spring rain",
      clientMessageId: `send-preset-${Date.now()}`,
    });
    expect(await listed()).toEqual([sent.conversation.id, ...before]);
    expect(await asAlice.chat.conversations.get({ id: sent.conversation.id })).toMatchObject({
      systemPrompt: "Answer in a haiku.",
      model: "fixture-large",
      temperature: 0.7,
    });
    const call = await eventually(async () =>
      t.fixture.calls.find((c) => c.messages.some((m) => m.content === "Answer in a haiku.")),
    );
    expect(call.model).toBe("fixture-large");
    expect(call.options.temperature).toBe(0.7);
    expect(call.messages.at(-1)).toMatchObject({ role: "user", content: "spring rain" });
    await collectStream(await asAlice.chat.stream({ messageId: sent.assistantMessage.id }));

    // A model picked after the preset wins over the preset's own; the rest stays.
    const picked = await asAlice.chat.send({
      presetId: preset.id,
      model: "fixture-small",
      content: "autumn",
      clientMessageId: `send-preset-model-${Date.now()}`,
    });
    expect(await asAlice.chat.conversations.get({ id: picked.conversation.id })).toMatchObject({
      systemPrompt: "Answer in a haiku.",
      model: "fixture-small",
      temperature: 0.7,
    });
    await collectStream(await asAlice.chat.stream({ messageId: picked.assistantMessage.id }));
    await eventually(async () =>
      (await asAlice.chat.conversations.get({ id: picked.conversation.id })).title !== "New chat"
        ? true
        : undefined,
    );
    await eventually(async () =>
      (await asAlice.chat.conversations.get({ id: sent.conversation.id })).title !== "New chat"
        ? true
        : undefined,
    );
  });

  it("chat.send refuses a presetId or model for an existing chat, a model not offered, and another user's preset, storing nothing", async () => {
    const mine = await asAlice.presets.create({ name: "Alice only", systemPrompt: "mine" });
    const stale = await asAlice.presets.create({ name: "Retired", model: "retired-model" });
    const existing = await asAlice.chat.conversations.create({});
    const count = async (api: typeof asAlice) =>
      (await api.chat.conversations.list({ limit: 100 })).items.length;
    const [aliceBefore, bobBefore] = [await count(asAlice), await count(asBob)];
    const send = (api: typeof asAlice, fields: Record<string, string>) =>
      codeOf(
        api.chat.send({
          content: "hi",
          clientMessageId: `refused-${Math.random().toString(36).slice(2)}`,
          ...fields,
        }),
      );
    expect(await send(asBob, { presetId: mine.id })).toBe("NOT_FOUND");
    expect(await send(asAlice, { presetId: stale.id })).toBe("BAD_REQUEST");
    expect(await send(asAlice, { model: "retired-model" })).toBe("BAD_REQUEST");
    expect(await send(asAlice, { conversationId: existing.id, presetId: mine.id })).toBe(
      "BAD_REQUEST",
    );
    expect(await send(asAlice, { conversationId: existing.id, model: "fixture-large" })).toBe(
      "BAD_REQUEST",
    );
    expect([await count(asAlice), await count(asBob)]).toEqual([aliceBefore, bobBefore]);
    expect((await asAlice.chat.messages.list({ conversationId: existing.id })).items).toEqual([]);
  });

  it("a preset naming a model no longer offered is refused, not swapped for another", async () => {
    const stale = await asAlice.presets.create({ name: "Old model", model: "retired-model" });
    expect(await codeOf(asAlice.chat.conversations.create({ presetId: stale.id }))).toBe(
      "BAD_REQUEST",
    );
  });

  it("refuses another user's presets with NOT_FOUND and changes nothing", async () => {
    const mine = await asAlice.presets.create({ name: "Private", systemPrompt: "secret" });
    expect(await asBob.presets.list()).toEqual([]);
    expect(await codeOf(asBob.presets.update({ id: mine.id, name: "Taken" }))).toBe("NOT_FOUND");
    expect(await codeOf(asBob.presets.delete({ id: mine.id }))).toBe("NOT_FOUND");
    expect(await codeOf(asBob.chat.conversations.create({ presetId: mine.id }))).toBe("NOT_FOUND");
    // The same name is Bob's to use: names are unique per user only.
    await asBob.presets.create({ name: "Private" });
    const still = (await asAlice.presets.list()).find((p) => p.id === mine.id);
    expect(still).toMatchObject({ name: "Private", systemPrompt: "secret" });
  });

  it("validates names and settings", async () => {
    expect(await codeOf(asAlice.presets.create({ name: " " }))).toBe("BAD_REQUEST");
    expect(await codeOf(asAlice.presets.create({ name: "x".repeat(101) }))).toBe("BAD_REQUEST");
    expect(await codeOf(asAlice.presets.create({ name: "hot", temperature: 3 }))).toBe(
      "BAD_REQUEST",
    );
    expect(
      await codeOf(asAlice.presets.create({ name: "long", systemPrompt: "x".repeat(8_001) })),
    ).toBe("BAD_REQUEST");
  });
});

import { signUp, type SignedIn } from "@parley/client";
import type { ModelFixture } from "@parley/model-fixture";
import { sampleDocx, samplePdf, samplePng } from "@parley/testing";
import { Transform } from "node:stream";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  finishedReply,
  codeOf,
  newClientId,
  startChatServer,
  type ChatServer,
} from "./chat-helpers";
import { uploadFile } from "./files-helpers";
import type { TestServer } from "./ops-helpers";

type Part = { type: string; text?: string; image_url?: { url: string } };

async function upload(
  server: TestServer,
  user: SignedIn,
  file: { name: string; type: string; data: Buffer | string },
): Promise<string> {
  const res = await uploadFile(server.base, user.accessToken, file);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe("attachments in chat", () => {
  let chat: ChatServer;
  let server: TestServer;
  let fixture: ModelFixture;
  let alice: SignedIn;
  let bob: SignedIn;

  beforeAll(async () => {
    // Only fixture-large sees images; fixture-small is the default model.
    chat = await startChatServer("att_alice", { AI_VISION_MODELS: "fixture-large" });
    ({ server, fixture, user: alice } = chat);
    bob = await signUp(server.base, { username: "att_bob" });
  });
  afterAll(() => chat?.stop());

  const lastCall = () => fixture.calls.filter((c) => c.stream).at(-1)!;

  it("sends images as image_url parts (scaled to 2,048 px) and documents as text blocks", async () => {
    const big = await samplePng(3000, 1500, "#aa2200");
    const imageId = await upload(server, alice, { name: "wide.png", type: "image/png", data: big });
    const pdfId = await upload(server, alice, {
      name: "report.pdf",
      type: "application/pdf",
      data: samplePdf("Revenue grew by 42 percent"),
    });
    const docxId = await upload(server, alice, {
      name: "plan.docx",
      type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      data: await sampleDocx("Step one: gather data"),
    });
    const conversation = await alice.client.chat.conversations.create.mutate({
      model: "fixture-large",
    });
    fixture.reset();
    const sent = await alice.client.chat.send.mutate({
      conversationId: conversation.id,
      content: "What do these say?",
      clientMessageId: newClientId(),
      attachmentIds: [imageId, pdfId, docxId],
    });
    await finishedReply(alice.client, conversation.id, sent.assistantMessage.id);

    const user = lastCall().rawMessages.find((m) => m.role === "user")!;
    const parts = user.content as Part[];
    expect(Array.isArray(parts)).toBe(true);
    const text = parts.find((p) => p.type === "text")!.text!;
    expect(text).toMatch(
      /<document name="report.pdf" type="application\/pdf">\nRevenue grew by 42 percent/,
    );
    expect(text).toMatch(/<document name="plan.docx"[^>]*>\nStep one: gather data/);
    expect(text.endsWith("What do these say?")).toBe(true);
    const image = parts.find((p) => p.type === "image_url")!;
    const match = /^data:(image\/[a-z]+);base64,(.+)$/.exec(image.image_url!.url);
    expect(match).not.toBeNull();
    const meta = await sharp(Buffer.from(match![2]!, "base64")).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBe(2048);
    expect(meta.width! / meta.height!).toBeCloseTo(2, 1);

    const page = await alice.client.chat.messages.list.query({ conversationId: conversation.id });
    const question = page.items.find((m) => m.id === sent.userMessage.id)!;
    expect(question.attachments.map((a) => a.name)).toEqual([
      "wide.png",
      "report.pdf",
      "plan.docx",
    ]);
    expect(question.attachments[0]).toMatchObject({ kind: "image", width: 3000, height: 1500 });
  });

  it("sends a message that is only an image, and refuses one with neither text nor files", async () => {
    const imageId = await upload(server, alice, {
      name: "sunset.png",
      type: "image/png",
      data: await samplePng(64, 48, "#ff8800"),
    });
    const conversation = await alice.client.chat.conversations.create.mutate({
      model: "fixture-large",
    });
    fixture.reset();
    const sent = await alice.client.chat.send.mutate({
      conversationId: conversation.id,
      content: "",
      clientMessageId: newClientId(),
      attachmentIds: [imageId],
    });
    const reply = await finishedReply(alice.client, conversation.id, sent.assistantMessage.id);
    expect(reply.status).toBe("complete");
    // The model gets the image alone: no empty text part beside it.
    const user = lastCall().rawMessages.find((m) => m.role === "user")!;
    const parts = user.content as Part[];
    expect(parts.map((p) => p.type)).toEqual(["image_url"]);
    expect(parts[0]!.image_url!.url).toMatch(/^data:image\/png;base64,/);
    const page = await alice.client.chat.messages.list.query({ conversationId: conversation.id });
    const question = page.items.find((m) => m.id === sent.userMessage.id)!;
    expect(question.content).toBe("");
    expect(question.attachments.map((a) => a.id)).toEqual([imageId]);

    // Neither text nor files: refused before anything is stored.
    for (const content of ["", "  \n "])
      expect(
        await codeOf(
          alice.client.chat.send.mutate({
            conversationId: conversation.id,
            content,
            clientMessageId: newClientId(),
          }),
        ),
      ).toBe("BAD_REQUEST");
    expect(
      await codeOf(
        alice.client.chat.send.mutate({
          conversationId: conversation.id,
          content: "",
          clientMessageId: newClientId(),
          attachmentIds: [],
        }),
      ),
    ).toBe("BAD_REQUEST");
    const after = await alice.client.chat.messages.list.query({ conversationId: conversation.id });
    expect(after.items).toHaveLength(2);
  });

  it("cuts a long document with a visible note", async () => {
    const long = `${"word ".repeat(25_000)}THE-END-MARKER`;
    const id = await upload(server, alice, { name: "long.txt", type: "text/plain", data: long });
    fixture.reset();
    const sent = await alice.client.chat.send.mutate({
      content: "Summarise",
      clientMessageId: newClientId(),
      attachmentIds: [id],
    });
    await finishedReply(alice.client, sent.conversation.id, sent.assistantMessage.id);
    const user = lastCall().rawMessages.find((m) => m.role === "user")!;
    expect(typeof user.content).toBe("string");
    const text = user.content as string;
    expect(text).toContain(
      "[Parley cut this document here: only its first 100,000 characters are included.]",
    );
    expect(text).not.toContain("THE-END-MARKER");
  });

  it("reads from the store only what the prompt holds: text extracted at upload, scaled copies, a capped read", async () => {
    const storage = server.server.deps.files!.storage;
    // Every object read while the prompt is built, and how many bytes of it.
    const reads = new Map<string, number>();
    const get = storage.get.bind(storage);
    const counting = async (key: string) => {
      const body = await get(key);
      if (!body) return body;
      reads.set(key, 0);
      const counted = body.pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            reads.set(key, reads.get(key)! + chunk.length);
            done(null, chunk);
          },
        }),
      );
      counted.once("close", () => body.destroy());
      return counted;
    };

    // 20 MB of text: the prompt takes its first 100,000 characters.
    const big = Buffer.alloc(20 * 1024 * 1024, "all work and no play makes a dull model\n");
    const bigId = await upload(server, alice, { name: "big.log", type: "text/plain", data: big });
    const wideId = await upload(server, alice, {
      name: "wide.png",
      type: "image/png",
      data: await samplePng(3000, 1500, "#225588"),
    });
    const pdfId = await upload(server, alice, {
      name: "notes.pdf",
      type: "application/pdf",
      data: samplePdf("Extracted once at upload"),
    });
    const keyOf = (id: string) => `u/${alice.user.id}/${id}`;
    // What upload stored beside the originals: the PDF's text and the image's model copy.
    expect(await storage.list(keyOf(pdfId))).toEqual([keyOf(pdfId), `${keyOf(pdfId)}.txt`]);
    expect(await storage.list(keyOf(wideId))).toEqual([
      keyOf(wideId),
      `${keyOf(wideId)}.model`,
      `${keyOf(wideId)}.thumb`,
    ]);

    const conversation = await alice.client.chat.conversations.create.mutate({
      model: "fixture-large",
    });
    fixture.reset();
    storage.get = counting;
    try {
      const sent = await alice.client.chat.send.mutate({
        conversationId: conversation.id,
        content: "What is in all this?",
        clientMessageId: newClientId(),
        attachmentIds: [bigId, wideId, pdfId],
      });
      await finishedReply(alice.client, conversation.id, sent.assistantMessage.id);
    } finally {
      storage.get = get;
    }

    const parts = lastCall().rawMessages.find((m) => m.role === "user")!.content as Part[];
    const text = parts.find((p) => p.type === "text")!.text!;
    expect(text).toContain("Extracted once at upload");
    expect(text).toContain("only its first 100,000 characters are included");
    const image = parts.find((p) => p.type === "image_url")!.image_url!.url;
    const jpeg = Buffer.from(image.replace(/^data:image\/jpeg;base64,/, ""), "base64");
    expect((await sharp(jpeg).metadata()).width).toBe(2048);

    // Neither the PDF nor the large image was read whole: only what upload derived.
    expect([...reads.keys()].sort()).toEqual(
      [keyOf(bigId), `${keyOf(pdfId)}.txt`, `${keyOf(wideId)}.model`].sort(),
    );
    // Of the 20 MB text file, about what 100,000 characters take, in the local store's 1 MB
    // reads (plus a read ahead).
    expect(reads.get(keyOf(bigId))!).toBeLessThanOrEqual(2 * 1024 * 1024);
    // The model copy is read exactly once, and is far smaller than the original.
    const modelCopy = (await storage.head(`${keyOf(wideId)}.model`))!.size;
    expect(reads.get(`${keyOf(wideId)}.model`)).toBe(modelCopy);
  });

  it("refuses an image for a model that cannot see, before storing anything", async () => {
    const imageId = await upload(server, alice, {
      name: "photo.png",
      type: "image/png",
      data: await samplePng(),
    });
    const before = await alice.client.chat.conversations.list.query();
    fixture.reset();
    const code = await codeOf(
      alice.client.chat.send.mutate({
        content: "Look",
        clientMessageId: newClientId(),
        attachmentIds: [imageId],
      }),
    );
    expect(code).toBe("PRECONDITION_FAILED");
    const after = await alice.client.chat.conversations.list.query();
    expect(after.items.length).toBe(before.items.length);
    expect(fixture.calls).toHaveLength(0);
  });

  it("refuses another user's file as NOT_FOUND, same as a missing one", async () => {
    const mine = await upload(server, alice, { name: "a.txt", type: "text/plain", data: "mine" });
    const before = await bob.client.chat.conversations.list.query();
    expect(
      await codeOf(
        bob.client.chat.send.mutate({
          content: "steal",
          clientMessageId: newClientId(),
          attachmentIds: [mine],
        }),
      ),
    ).toBe("NOT_FOUND");
    expect(
      await codeOf(
        bob.client.chat.send.mutate({
          content: "missing",
          clientMessageId: newClientId(),
          attachmentIds: ["00000000-0000-4000-8000-000000000000"],
        }),
      ),
    ).toBe("NOT_FOUND");
    expect((await bob.client.chat.conversations.list.query()).items.length).toBe(
      before.items.length,
    );
  });

  it("keeps attachments on edit-and-resend, and deleting the conversation deletes the objects", async () => {
    const storage = server.server.deps.files!.storage;
    const id = await upload(server, alice, {
      name: "keep.md",
      type: "text/markdown",
      data: "# Hi",
    });
    const first = await alice.client.chat.send.mutate({
      content: "Read this",
      clientMessageId: newClientId(),
      attachmentIds: [id],
    });
    const conversationId = first.conversation.id;
    await finishedReply(alice.client, conversationId, first.assistantMessage.id);
    const edited = await alice.client.chat.send.mutate({
      conversationId,
      parentId: null,
      content: "Read this, please",
      clientMessageId: newClientId(),
      attachmentIds: [id],
    });
    await finishedReply(alice.client, conversationId, edited.assistantMessage.id);
    const page = await alice.client.chat.messages.list.query({ conversationId });
    expect(page.items[0]!.attachments.map((a) => a.id)).toEqual([id]);
    expect(await storage.list(`u/${alice.user.id}/${id}`)).toHaveLength(1);

    await alice.client.chat.conversations.delete.mutate({ id: conversationId });
    expect(await storage.list(`u/${alice.user.id}/${id}`)).toEqual([]);
    expect((await alice.client.files.list.query()).items.map((f) => f.id)).not.toContain(id);
  });

  it("exports list each message's attachments, in JSON and in Markdown", async () => {
    const image = await upload(server, alice, {
      name: "chart_[v2].png",
      type: "image/png",
      data: await samplePng(),
    });
    const note = await upload(server, alice, {
      name: "notes.md",
      type: "text/markdown",
      data: "# Notes",
    });
    const conversation = await alice.client.chat.conversations.create.mutate({
      model: "fixture-large",
    });
    const sent = await alice.client.chat.send.mutate({
      conversationId: conversation.id,
      content: "Explain the chart",
      clientMessageId: newClientId(),
      attachmentIds: [image, note],
    });
    await finishedReply(alice.client, conversation.id, sent.assistantMessage.id);

    const json = await alice.client.chat.conversations.export.query({
      id: conversation.id,
      format: "json",
    });
    const doc = JSON.parse(json.content) as {
      messages: Array<{ role: string; attachments: Array<Record<string, unknown>> }>;
    };
    const [question, reply] = doc.messages;
    expect(question!.attachments).toEqual([
      expect.objectContaining({ id: image, name: "chart_[v2].png", mimeType: "image/png" }),
      { id: note, name: "notes.md", mimeType: "text/markdown", kind: "text", size: 7 },
    ]);
    expect(reply!.attachments).toEqual([]);

    const markdown = await alice.client.chat.conversations.export.query({
      id: conversation.id,
      format: "markdown",
    });
    expect(markdown.content).toContain(
      "Explain the chart\n\nAttachments:\n- chart\\_\\[v2\\].png (image/png, ",
    );
    expect(markdown.content).toContain("- notes.md (text/markdown, 7 bytes)\n");

    // Another user cannot export it, files or not.
    expect(
      await codeOf(
        bob.client.chat.conversations.export.query({ id: conversation.id, format: "json" }),
      ),
    ).toBe("NOT_FOUND");
  });

  it("sweeps uploads never attached after a day, and keeps attached ones", async () => {
    const deps = server.server.deps;
    const { sweepAbandonedUploads } = await import("@parley/api");
    const carol = await signUp(server.base, { username: "att_carol" });
    const loose = await upload(server, carol, { name: "loose.txt", type: "text/plain", data: "x" });
    const used = await upload(server, carol, { name: "used.txt", type: "text/plain", data: "y" });
    const sent = await carol.client.chat.send.mutate({
      content: "hi",
      clientMessageId: newClientId(),
      attachmentIds: [used],
    });
    await finishedReply(carol.client, sent.conversation.id, sent.assistantMessage.id);
    expect(await sweepAbandonedUploads(deps.db, deps.files!, new Date())).toBe(0);
    const tomorrow = new Date(Date.now() + 25 * 60 * 60 * 1000);
    expect(await sweepAbandonedUploads(deps.db, deps.files!, tomorrow)).toBeGreaterThanOrEqual(1);
    const left = (await carol.client.files.list.query()).items.map((f) => f.id);
    expect(left).toContain(used);
    expect(left).not.toContain(loose);
    expect(await deps.files!.storage.list(`u/${carol.user.id}/${loose}`)).toEqual([]);
  });

  it("deleting the account deletes every stored object of it", async () => {
    const dave = await signUp(server.base, { username: "att_dave" });
    await upload(server, dave, { name: "p.png", type: "image/png", data: await samplePng() });
    const storage = server.server.deps.files!.storage;
    expect((await storage.list(`u/${dave.user.id}/`)).length).toBe(2);
    await dave.client.user.delete.mutate({ password: dave.password });
    expect(await storage.list(`u/${dave.user.id}/`)).toEqual([]);
  });
});

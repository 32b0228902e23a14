import { signUp, type SignedIn } from "@parley/client";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastReplyComplete, readStream, startChatServer, type ChatServer } from "./chat-helpers";
import { uploadFile } from "./files-helpers";

interface History {
  format: string;
  conversations: Array<{
    title: string;
    folderId: string | null;
    messages: Array<{
      content: string;
      rating: "up" | "down" | null;
      attachments: Array<{ path: string; name: string }>;
    }>;
  }>;
}

describe("GET /api/export: the whole account as one zip", () => {
  let chat: ChatServer;
  let alice: SignedIn;
  let bob: SignedIn;
  let base: string;

  beforeAll(async () => {
    chat = await startChatServer("export_alice");
    base = chat.server.base;
    alice = chat.user;
    bob = await signUp(base, { username: "export_bob" });
  }, 180_000);
  afterAll(() => chat?.stop());

  const download = (token: string | null) =>
    fetch(`${base}/api/export`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  async function archiveOf(token: string) {
    const res = await download(token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="parley-export-/);
    return JSZip.loadAsync(Buffer.from(await res.arrayBuffer()));
  }

  it("holds the account, every conversation with its branches, and the files' bytes", async () => {
    const note = "quarterly numbers: 42\n";
    const up = await uploadFile(base, alice.accessToken, {
      name: "q3?.txt",
      type: "text/plain",
      data: note,
    });
    expect(up.status).toBe(201);
    const sent = await alice.client.chat.send.mutate({
      content: "Summarise my notes",
      clientMessageId: crypto.randomUUID(),
      attachmentIds: [up.body.id as string],
    });
    await readStream(alice.client, { messageId: sent.assistantMessage.id });
    await lastReplyComplete(alice.client, sent.conversation.id);
    const again = await alice.client.chat.regenerate.mutate({
      messageId: sent.assistantMessage.id,
    });
    await readStream(alice.client, { messageId: again.assistantMessage.id });
    await alice.client.feedback.set.mutate({ messageId: sent.assistantMessage.id, rating: "down" });
    const folder = await alice.client.folders.create.mutate({ name: "Reports" });
    await alice.client.chat.conversations.move.mutate({
      id: sent.conversation.id,
      folderId: folder.id,
    });
    await alice.client.presets.create.mutate({
      name: "Analyst",
      systemPrompt: "Be precise.",
      temperature: 0.2,
    });

    const zip = await archiveOf(alice.accessToken);
    const account = JSON.parse(await zip.file("account.json")!.async("string")) as {
      username: string;
      email: string;
      folders: Array<{ id: string; name: string }>;
      presets: Array<{ name: string; systemPrompt: string | null; temperature: number | null }>;
    };
    expect(account.username).toBe("export_alice");
    // Folders and presets travel too; each conversation names its folder.
    expect(account.folders.map((f) => [f.id, f.name])).toEqual([[folder.id, "Reports"]]);
    expect(account.presets).toMatchObject([
      { name: "Analyst", systemPrompt: "Be precise.", temperature: 0.2 },
    ]);
    expect(JSON.stringify(account)).not.toMatch(/password|hash/i);

    const history = JSON.parse(await zip.file("conversations.json")!.async("string")) as History;
    expect(history.format).toBe("parley.history");
    expect(history.conversations).toHaveLength(1);
    const [conversation] = history.conversations;
    expect(conversation!.folderId).toBe(folder.id);
    // The question and both replies: the regenerated one is a branch, kept.
    expect(conversation!.messages.map((m) => m.content)[0]).toBe("Summarise my notes");
    expect(conversation!.messages).toHaveLength(3);
    // Each message carries the owner's rating: the first reply's thumbs down, nothing else.
    expect(conversation!.messages.map((m) => m.rating)).toEqual([null, "down", null]);
    const [attachment] = conversation!.messages[0]!.attachments;
    expect(attachment!.name).toBe("q3?.txt");
    // The file is in the archive under the path the JSON names, byte for byte.
    // A name safe on every system (no ? : * / …), kept apart by the file id.
    expect(attachment!.path).toBe(`files/${up.body.id as string}/q3_.txt`);
    expect(await zip.file(attachment!.path)!.async("string")).toBe(note);
  });

  it("is the owner's only: another user's archive holds none of it, and strangers get 401", async () => {
    expect((await download(null)).status).toBe(401);
    const zip = await archiveOf(bob.accessToken);
    const history = JSON.parse(await zip.file("conversations.json")!.async("string")) as History;
    expect(history.conversations).toEqual([]);
    expect(Object.keys(zip.files).filter((name) => name.startsWith("files/"))).toEqual([]);
    const account = JSON.parse(await zip.file("account.json")!.async("string")) as {
      username: string;
      folders: unknown[];
      presets: unknown[];
    };
    expect(account.username).toBe("export_bob");
    expect([account.folders, account.presets]).toEqual([[], []]);
  });

  it("its conversations.json imports back into another account with the same messages, branches and ratings", async () => {
    const zip = await archiveOf(alice.accessToken);
    const text = await zip.file("conversations.json")!.async("string");
    const res = await fetch(`${base}/api/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${bob.accessToken}`, "content-type": "application/json" },
      body: text,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ source: "parley", conversations: 1, messages: 3 });
    const again = JSON.parse(
      await (await archiveOf(bob.accessToken)).file("conversations.json")!.async("string"),
    ) as History;
    const contents = (h: History) =>
      h.conversations.map((c) => c.messages.map((m) => [m.content, m.rating]));
    expect(contents(again)).toEqual(contents(JSON.parse(text) as History));
    expect(contents(again)[0]!.map(([, rating]) => rating)).toEqual([null, "down", null]);
  });

  it("an API key needs the read scope", async () => {
    const key = await alice.client.auth.apiKeys.create.mutate({ name: "w", scopes: ["chat"] });
    expect((await download(key.secret)).status).toBe(403);
  });
});

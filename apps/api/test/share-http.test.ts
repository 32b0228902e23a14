import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createParleyClient, signUp, TRPCClientError, type SignedIn } from "@parley/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastReplyComplete, readStream, startChatServer, type ChatServer } from "./chat-helpers";

const SHELL = `<!doctype html><html lang="en"><head><title>Parley</title></head><body><div id="root"></div></body></html>`;

describe("shared conversations over HTTP", () => {
  let chat: ChatServer;
  let alice: SignedIn;
  let bob: SignedIn;
  let base: string;

  beforeAll(async () => {
    // A web build of our own: the page at /s/:token is the app shell, served by the server.
    const webDist = path.join(process.env.TMPDIR ?? "/tmp", `parley-share-web-${Date.now()}`);
    await mkdir(webDist, { recursive: true });
    await writeFile(path.join(webDist, "index.html"), SHELL);
    chat = await startChatServer("share_http_alice", { WEB_DIST: webDist });
    base = chat.server.base;
    alice = chat.user;
    bob = await signUp(base, { username: "share_http_bob" });
  }, 180_000);
  afterAll(() => chat?.stop());

  async function sharedConversation() {
    const sent = await alice.client.chat.send.mutate({
      content: "Share me",
      clientMessageId: crypto.randomUUID(),
    });
    await readStream(alice.client, { messageId: sent.assistantMessage.id });
    await lastReplyComplete(alice.client, sent.conversation.id);
    return sent.conversation.id;
  }

  it("the link's page is the app shell, marked noindex in its header and its HTML, under the app's CSP", async () => {
    const link = await alice.client.share.create.mutate({
      conversationId: await sharedConversation(),
    });
    const page = await fetch(`${base}/s/${link.token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("x-robots-tag")).toBe("noindex, nofollow, noarchive");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow, noarchive" />');
    expect(html).toContain('<div id="root">');
    // Other pages of the app are not marked.
    const home = await fetch(`${base}/c/whatever`);
    expect(home.headers.get("x-robots-tag")).toBeNull();
    expect(await home.text()).not.toContain("noindex");
  });

  it("a stranger reads the snapshot without an account; the API answer is noindex too", async () => {
    const link = await alice.client.share.create.mutate({
      conversationId: await sharedConversation(),
    });
    const seen: Headers[] = [];
    const stranger = createParleyClient({
      url: base,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        seen.push(response.headers);
        return response;
      },
    });
    const snapshot = await stranger.share.view.query({ token: link.token });
    expect(snapshot.messages.map((m) => m.content)).toEqual(["Share me", "Echo: Share me"]);
    expect(seen.at(-1)?.get("x-robots-tag")).toMatch(/noindex/);
  });

  it("revoked and unknown links answer 404, the page and the API alike", async () => {
    const link = await alice.client.share.create.mutate({
      conversationId: await sharedConversation(),
    });
    await alice.client.share.revoke.mutate({ id: link.id });
    for (const token of [link.token, "A".repeat(65), "nonsense"]) {
      const page = await fetch(`${base}/s/${token}`);
      expect(page.status).toBe(404);
      expect(page.headers.get("x-robots-tag")).toMatch(/noindex/);
      const error = await createParleyClient({ url: base })
        .share.view.query({ token })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<never>).data).toMatchObject({ httpStatus: 404 });
    }
  });

  it("another user cannot revoke the link, which keeps working", async () => {
    const link = await alice.client.share.create.mutate({
      conversationId: await sharedConversation(),
    });
    const refused = await bob.client.share.revoke.mutate({ id: link.id }).catch((e: unknown) => e);
    expect((refused as TRPCClientError<never>).data).toMatchObject({ httpStatus: 404 });
    expect((await fetch(`${base}/s/${link.token}`)).status).toBe(200);
  });
});

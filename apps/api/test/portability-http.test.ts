import { readFile } from "node:fs/promises";
import { signUp, type SignedIn } from "@parley/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./ops-helpers";

const fixture = new URL(
  "../../../packages/api/test/fixtures/chatgpt-conversations.json",
  import.meta.url,
);

describe("POST /api/import", () => {
  let server: TestServer;
  let alice: SignedIn;
  let bob: SignedIn;

  beforeAll(async () => {
    server = await startTestServer({ IMPORT_MAX_BYTES: String(64 * 1024) });
    alice = await signUp(server.base, { username: "import_http_alice" });
    bob = await signUp(server.base, { username: "import_http_bob" });
  }, 180_000);
  afterAll(() => server?.stop());

  const post = (token: string | null, body: RequestInit["body"]) =>
    fetch(`${server.base}/api/import`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });

  it("imports a ChatGPT conversations.json into the caller's account only", async () => {
    const res = await post(alice.accessToken, await readFile(fixture));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ source: "chatgpt", conversations: 2, messages: 6 });
    const mine = await alice.client.chat.conversations.list.query({ limit: 10 });
    expect(mine.items.map((c) => c.title)).toEqual(["Trip to Kazan"]);
    const theirs = await bob.client.chat.conversations.list.query({ limit: 10 });
    expect(theirs.items).toEqual([]);
  });

  it("refuses strangers, bad files with a clear message, and bodies over the limit before reading them all", async () => {
    expect((await post(null, "[]")).status).toBe(401);
    const bad = await post(alice.accessToken, "{ not json");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: "bad_file",
      error: expect.stringMatching(/not JSON/),
    });
    const notUtf8 = await post(alice.accessToken, new Uint8Array([0x5b, 0xff, 0xfe, 0x5d]));
    expect(notUtf8.status).toBe(400);
    const big = await post(alice.accessToken, "[" + " ".repeat(65 * 1024) + "]");
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: "too_large", limitBytes: 64 * 1024 });
    // Nothing was imported by the refused calls.
    const bobs = await post(bob.accessToken, "[1]");
    expect(bobs.status).toBe(400);
    expect((await bob.client.chat.conversations.list.query({ limit: 10 })).items).toEqual([]);
  });

  it("an API key needs the chat scope", async () => {
    const key = await alice.client.auth.apiKeys.create.mutate({ name: "reader", scopes: ["read"] });
    const res = await post(key.secret, "[]");
    expect(res.status).toBe(403);
  });
});

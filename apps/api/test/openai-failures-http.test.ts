import { signUp } from "@parley/client";
import {
  createScratchPostgres,
  missing,
  postgresUrl,
  startTcpProxy,
  type TcpProxy,
} from "@parley/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChatServer, type ChatServer } from "./chat-helpers";

const sdk = (base: string, apiKey: string) =>
  new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });

/** A /v1 call as plain HTTP, to see the status, headers and body exactly as sent. */
async function post(
  base: string,
  apiKey: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

const question = { model: "fixture-small", messages: [{ role: "user", content: "hello" }] };

describe("/v1 rate limit (not a quota)", () => {
  const LIMIT = 3;
  let chat: ChatServer;
  let base: string;

  beforeAll(async () => {
    chat = await startChatServer("v1_limits_admin", { CHAT_SENDS_PER_MINUTE: String(LIMIT) });
    base = chat.server.base;
  }, 180_000);
  afterAll(() => chat?.stop());

  it("429 rate_limit_exceeded (type `requests`, not insufficient_quota) with Retry-After, without calling the model", async () => {
    const user = await signUp(base, { username: "v1_rate" });
    const { secret } = await user.client.auth.apiKeys.create.mutate({ name: "busy tool" });
    for (let i = 0; i < LIMIT; i++) expect((await post(base, secret, question)).status).toBe(200);
    chat.fixture.reset();

    const refused = await post(base, secret, question);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.parse(refused.text)).toEqual({
      error: {
        message: expect.stringMatching(/^Too many requests; try again in \d+ s$/),
        type: "requests",
        code: "rate_limit_exceeded",
        param: null,
      },
    });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(chat.fixture.calls).toEqual([]);

    // The SDK sees a RateLimitError whose type is not the quota's.
    let error: unknown;
    await sdk(base, secret)
      .chat.completions.create({
        model: "fixture-small",
        messages: [{ role: "user", content: "hi" }],
      })
      .catch((e: unknown) => (error = e));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe("requests");
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("rate_limit_exceeded");
  });

  it("a revoked key is forgotten at once: it spends at most one request of its owner's budget", async () => {
    const user = await signUp(base, { username: "v1_revoked" });
    const old = await user.client.auth.apiKeys.create.mutate({ name: "leaked" });
    const fresh = await user.client.auth.apiKeys.create.mutate({ name: "new" });
    // Seen once, so this process knows whose key it is.
    expect((await post(base, old.secret, question)).status).toBe(200);
    await user.client.auth.apiKeys.revoke.mutate({ id: old.id });
    for (let i = 0; i < 5; i++) {
      const refused = await post(base, old.secret, question);
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.text).error.code).toBe("invalid_api_key");
    }
    // Budget 3: one spent by the first call, at most one by the revoked key's calls.
    expect((await post(base, fresh.secret, question)).status).toBe(200);
  });
});

/** A down database answers OpenAI's 503 body, never HTML or a raw error. */
function expectUnavailable(answer: { status: number; headers: Headers; text: string }) {
  expect(answer.status).toBe(503);
  expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error).toEqual({
    message: expect.any(String),
    type: "server_error",
    code: "service_unavailable",
    param: null,
  });
  // Nothing of the driver's text reaches the caller.
  expect(answer.text).not.toMatch(/ECONNREFUSED|prisma|postgres|<html/i);
}

describe.skipIf(missing("postgres"))(
  "/v1 with the database down (Postgres behind a cut network)",
  () => {
    let chat: ChatServer;
    let base: string;
    let proxy: TcpProxy;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const scratch = await createScratchPostgres(postgresUrl()!);
      drop = () => scratch.drop();
      const target = new URL(scratch.url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const viaProxy = new URL(scratch.url);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(proxy.port);
      chat = await startChatServer("v1_dbdown_admin", { DATABASE_URL: viaProxy.toString() });
      base = chat.server.base;
    }, 180_000);
    afterAll(async () => {
      await chat?.stop();
      await proxy?.close();
      await drop?.();
    });

    it("503 in OpenAI's shape for a key that must be looked up, for models and completions, streamed or not; then it recovers", async () => {
      const user = await signUp(base, { username: "v1_dbdown" });
      const seen = await user.client.auth.apiKeys.create.mutate({ name: "seen" });
      const unseen = await user.client.auth.apiKeys.create.mutate({ name: "unseen" });
      expect((await post(base, seen.secret, question)).status).toBe(200);
      chat.fixture.reset();

      await proxy.cut();
      try {
        const models = await fetch(`${base}/v1/models`, {
          headers: { authorization: `Bearer ${unseen.secret}` },
        });
        expectUnavailable({
          status: models.status,
          headers: models.headers,
          text: await models.text(),
        });
        expectUnavailable(await post(base, unseen.secret, question));
        expectUnavailable(await post(base, unseen.secret, { ...question, stream: true }));
        // A known key that asks for history needs the database to store the exchange.
        expectUnavailable(
          await post(base, seen.secret, question, { "X-Parley-Conversation": "new" }),
        );
        // The SDK raises it as an InternalServerError with the body parsed.
        let error: unknown;
        await sdk(base, unseen.secret)
          .models.list()
          .catch((e: unknown) => (error = e));
        expect(error).toBeInstanceOf(OpenAI.InternalServerError);
        expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
        expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe("server_error");
        expect(chat.fixture.calls).toEqual([]);
      } finally {
        await proxy.restore();
      }
      expect((await post(base, unseen.secret, question)).status).toBe(200);
    });
  },
);

describe("/v1 with the embedded database closed (PGlite)", () => {
  let chat: ChatServer;
  let base: string;

  beforeAll(async () => {
    chat = await startChatServer("v1_pglite_admin", { DATABASE_URL: "" });
    base = chat.server.base;
  }, 180_000);
  afterAll(() => chat?.stop());

  it("503 in OpenAI's shape for a key that must be looked up", async () => {
    expect(chat.server.server.deps.db.kind).toBe("pglite");
    const user = await signUp(base, { username: "v1_pglite" });
    const { secret } = await user.client.auth.apiKeys.create.mutate({ name: "unseen" });
    await chat.server.server.deps.db.close();
    expectUnavailable(await post(base, secret, question));
    expectUnavailable(await post(base, secret, { ...question, stream: true }));
  });
});

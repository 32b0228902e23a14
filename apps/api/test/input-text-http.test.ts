import { randomUUID } from "node:crypto";
import { signUp, type SignedIn } from "@parley/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChatServer, type ChatServer } from "./chat-helpers";

const NUL = "a\u0000b";
const LONE_HIGH = "a\uD800b";
const LONE_LOW = "\uDC00 trailing";

interface Answer {
  status: number;
  code: string | undefined;
  message: string | undefined;
}

/**
 * A tRPC call with a hand-written superjson envelope, so a test can send what no typed
 * client would (NUL bytes, unpaired surrogates, dates in year 33658).
 */
async function call(
  base: string,
  procedure: string,
  input: unknown,
  options: { token?: string; method?: "GET" | "POST"; meta?: unknown } = {},
): Promise<Answer> {
  const envelope = JSON.stringify({ json: input, ...(options.meta ? { meta: options.meta } : {}) });
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const url = new URL(`${base}/trpc/${procedure}`);
  let response: Response;
  if (options.method === "GET") {
    url.searchParams.set("input", envelope);
    response = await fetch(url, { headers });
  } else {
    headers["content-type"] = "application/json";
    response = await fetch(url, { method: "POST", headers, body: envelope });
  }
  const body = (await response.json()) as {
    error?: { json?: { message?: string; data?: { code?: string } } };
  };
  return {
    status: response.status,
    code: body.error?.json?.data?.code,
    message: body.error?.json?.message,
  };
}

function expectRefused(answer: Answer, pattern: RegExp) {
  expect(answer.status).toBe(400);
  expect(answer.code).toBe("BAD_REQUEST");
  // A sentence a person can act on, naming the field, not a JSON dump of zod issues.
  expect(answer.message).toMatch(pattern);
  expect(answer.message).not.toMatch(/^\s*\[/);
}

describe("every text input refuses NUL bytes and unpaired surrogates with a clear 400", () => {
  let chat: ChatServer;
  let base: string;
  let admin: SignedIn;
  let user: SignedIn;
  let conversationId: string;
  let apiKey: string;

  beforeAll(async () => {
    chat = await startChatServer(`admin_${randomUUID().slice(0, 8)}`, {
      ADMIN_EMAIL: "input-admin@example.test",
    });
    base = chat.server.base;
    admin = await signUp(base, { email: "input-admin@example.test" });
    user = chat.user;
    conversationId = (await user.client.chat.conversations.create.mutate({ title: "Plain" })).id;
    apiKey = (await user.client.auth.apiKeys.create.mutate({ name: "v1" })).secret;
  }, 60_000);
  afterAll(async () => {
    await chat?.stop();
  });

  const bad = [
    ["a NUL byte", NUL, /NUL/],
    ["an unpaired high surrogate", LONE_HIGH, /unpaired/],
    ["an unpaired low surrogate", LONE_LOW, /unpaired/],
  ] as const;

  for (const [what, value, reason] of bad) {
    describe(`with ${what}`, () => {
      it("message text (chat.send)", async () => {
        const answer = await call(
          base,
          "chat.send",
          { conversationId, content: `hello ${value}`, clientMessageId: randomUUID() },
          { token: user.accessToken },
        );
        expectRefused(answer, new RegExp(`content: .*${reason.source}`));
      });

      it("conversation title and system prompt (chat.create, chat.update)", async () => {
        const token = user.accessToken;
        expectRefused(
          await call(base, "chat.conversations.create", { title: value }, { token }),
          new RegExp(`title: .*${reason.source}`),
        );
        expectRefused(
          await call(base, "chat.conversations.create", { systemPrompt: value }, { token }),
          new RegExp(`systemPrompt: .*${reason.source}`),
        );
        expectRefused(
          await call(
            base,
            "chat.conversations.update",
            { id: conversationId, title: value },
            { token },
          ),
          reason,
        );
        expectRefused(
          await call(
            base,
            "chat.conversations.update",
            { id: conversationId, systemPrompt: value },
            { token },
          ),
          reason,
        );
      });

      it("conversation search (chat.list, a GET)", async () => {
        expectRefused(
          await call(
            base,
            "chat.conversations.list",
            { query: value },
            { token: user.accessToken, method: "GET" },
          ),
          new RegExp(`query: .*${reason.source}`),
        );
      });

      it("API key name (auth.apiKeys.create)", async () => {
        expectRefused(
          await call(base, "auth.apiKeys.create", { name: value }, { token: user.accessToken }),
          new RegExp(`name: .*${reason.source}`),
        );
      });

      it("sign-in login and password (auth.login)", async () => {
        expectRefused(
          await call(base, "auth.login", { login: value, password: "whatever-it-is" }),
          new RegExp(`login: .*${reason.source}`),
        );
        expectRefused(
          await call(base, "auth.login", { login: "someone", password: `pw-${value}-pw` }),
          new RegExp(`password: .*${reason.source}`),
        );
      });

      it("registration fields (auth.register)", async () => {
        expectRefused(
          await call(base, "auth.register", {
            username: "fine_name",
            email: "fine@example.test",
            password: `long-enough-${value}`,
          }),
          reason,
        );
        expectRefused(
          await call(base, "auth.register", {
            username: value,
            email: "fine@example.test",
            password: "long-enough-password",
          }),
          /username: /,
        );
      });

      it("session id (auth.sessions.revoke)", async () => {
        expectRefused(
          await call(base, "auth.sessions.revoke", { id: value }, { token: user.accessToken }),
          new RegExp(`id: .*${reason.source}`),
        );
      });

      it("OpenAI-compatible chat messages (POST /v1/chat/completions)", async () => {
        const response = await fetch(`${base}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: "fixture-small",
            messages: [{ role: "user", content: `hi ${value}` }],
          }),
        });
        expect(response.status).toBe(400);
        const body = (await response.json()) as { error: { message: string; param: string } };
        expect(body.error.message).toMatch(reason);
        expect(body.error.param).toBe("messages[0].content");
      });

      it("admin user search and audit IP filter (user.admin.list, audit.list)", async () => {
        const token = admin.accessToken;
        expectRefused(
          await call(base, "user.admin.list", { query: value }, { token, method: "GET" }),
          new RegExp(`query: .*${reason.source}`),
        );
        expectRefused(
          await call(base, "audit.list", { ip: value }, { token, method: "GET" }),
          new RegExp(`ip: .*${reason.source}`),
        );
      });
    });
  }

  it("still accepts text with paired surrogates (emoji) and other control characters", async () => {
    const created = await user.client.chat.conversations.create.mutate({ title: "Rocket 🚀\ttab" });
    expect(created.title).toBe("Rocket 🚀\ttab");
  });
});

describe("pagination cursors are validated in full", () => {
  let chat: ChatServer;
  let base: string;
  let admin: SignedIn;

  beforeAll(async () => {
    chat = await startChatServer(`cursor_${randomUUID().slice(0, 8)}`, {
      ADMIN_EMAIL: "cursor-admin@example.test",
    });
    base = chat.server.base;
    admin = await signUp(base, { email: "cursor-admin@example.test" });
    for (let i = 0; i < 3; i++)
      await chat.user.client.chat.conversations.create.mutate({ title: `c${i}` });
  }, 60_000);
  afterAll(async () => {
    await chat?.stop();
  });

  const list = (cursor: string) =>
    call(
      base,
      "chat.conversations.list",
      { cursor, limit: 1 },
      { token: chat.user.accessToken, method: "GET" },
    );

  it("refuses a conversation cursor in year 33658", async () => {
    expectRefused(await list(`999999999999999_${randomUUID()}`), /cursor: /);
    expectRefused(await list(`8640000000000000_${randomUUID()}`), /cursor: /);
  });

  it("refuses a conversation cursor whose id is only dashes, or not an id", async () => {
    expectRefused(await list(`1700000000000_${"-".repeat(36)}`), /cursor: /);
    expectRefused(await list(`1700000000000_${"f".repeat(36)}`), /cursor: /);
    expectRefused(await list(`_${randomUUID()}`), /cursor: /);
    expectRefused(await list(`1700000000000_${randomUUID()}_extra`), /cursor: /);
  });

  it("follows the cursors it hands out", async () => {
    const first = await chat.user.client.chat.conversations.list.query({ limit: 1 });
    expect(first.nextCursor).toBeTruthy();
    const second = await chat.user.client.chat.conversations.list.query({
      limit: 1,
      cursor: first.nextCursor,
    });
    expect(second.items).toHaveLength(1);
    const third = await chat.user.client.chat.conversations.list.query({
      limit: 1,
      cursor: second.nextCursor,
    });
    expect(third.items).toHaveLength(1);
    // Three pages, three conversations: each cursor leads further (cached pages included).
    const ids = new Set([first, second, third].map((page) => page.items[0]!.id));
    expect(ids.size).toBe(3);
  });

  it("refuses audit cursors and ranges with dates Postgres cannot hold", async () => {
    const token = admin.accessToken;
    const farFuture = "+033658-09-27T01:46:40.000Z";
    expectRefused(
      await call(
        base,
        "audit.list",
        { cursor: { createdAt: farFuture, id: randomUUID() } },
        { token, method: "GET", meta: { values: { "cursor.createdAt": ["Date"] } } },
      ),
      /cursor\.createdAt: /,
    );
    expectRefused(
      await call(
        base,
        "audit.list",
        { since: farFuture },
        { token, method: "GET", meta: { values: { since: ["Date"] } } },
      ),
      /since: /,
    );
    expectRefused(
      await call(
        base,
        "audit.mine",
        { cursor: { createdAt: farFuture, id: randomUUID() } },
        { token, method: "GET", meta: { values: { "cursor.createdAt": ["Date"] } } },
      ),
      /cursor\.createdAt: /,
    );
  });
});

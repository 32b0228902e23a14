import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { signUp, type SignedIn } from "@parley/client";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startChatServer, type ChatServer } from "./chat-helpers";

/** The official SDK pointed at Parley, as a tool would be; no retries, so each call is one. */
const sdk = (base: string, apiKey: string) =>
  new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });

/** The SDK's error of a failed call (it throws APIError subclasses with the parsed body). */
async function apiError(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("the call succeeded");
}

const sortedKeys = (value: object) => Object.keys(value).sort();

describe("the OpenAI-compatible API (/v1) with the openai SDK", () => {
  let chat: ChatServer;
  let base: string;
  let admin: SignedIn;
  let bob: SignedIn;
  let openai: OpenAI;
  let webDist: string;

  beforeAll(async () => {
    // A built web app, whose fallback answers unknown paths with its HTML.
    webDist = await mkdtemp(path.join(tmpdir(), "parley-v1-web-"));
    await writeFile(path.join(webDist, "index.html"), "<!doctype html><title>Parley</title>");
    chat = await startChatServer("v1_admin", { WEB_DIST: webDist });
    base = chat.server.base;
    admin = chat.user;
    bob = await signUp(base, { username: "v1_bob" });
    const key = await bob.client.auth.apiKeys.create.mutate({ name: "sdk" });
    openai = sdk(base, key.secret);
  });
  afterAll(async () => {
    await chat?.stop();
    await rm(webDist, { recursive: true, force: true });
  });

  it("lists the models Parley offers", async () => {
    const page = await openai.models.list();
    expect(page.data).toEqual([
      { id: "fixture-small", object: "model", created: expect.any(Number), owned_by: "parley" },
      { id: "fixture-large", object: "model", created: expect.any(Number), owned_by: "parley" },
    ]);
    expect(await openai.models.retrieve("fixture-large")).toMatchObject({ id: "fixture-large" });
    expect((await apiError(openai.models.retrieve("gpt-nope"))).status).toBe(404);
  });

  it("answers a completion in OpenAI's shape, forwarding model, temperature, top_p, max_tokens and stop", async () => {
    chat.fixture.reset();
    const reply = await openai.chat.completions.create({
      model: "fixture-large",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Count [[fixture words=10]]" },
      ],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 3,
      stop: ["\n\n"],
    });
    expect(sortedKeys(reply)).toEqual(
      ["choices", "created", "id", "model", "object", "system_fingerprint", "usage"].sort(),
    );
    expect(reply).toMatchObject({ object: "chat.completion", model: "fixture-large" });
    expect(reply.id).toMatch(/^chatcmpl-/);
    expect(reply.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "w1 w2 w3 ", refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: "length",
      },
    ]);
    const call = chat.fixture.calls.at(-1)!;
    expect(call).toMatchObject({ model: "fixture-large", stream: false });
    expect(call.options).toEqual({ temperature: 0.3, top_p: 0.9, max_tokens: 3, stop: ["\n\n"] });
    // The provider's own figures, passed on and recorded against the key with source "api".
    expect(reply.usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: 3,
      total_tokens: reply.usage!.prompt_tokens + 3,
    });
    const records = await chat.server.server.deps.db.prisma.usageRecord.findMany({
      where: { userId: bob.user.id },
      orderBy: { createdAt: "desc" },
      take: 1,
    });
    expect(records[0]).toMatchObject({
      source: "api",
      model: "fixture-large",
      promptTokens: reply.usage!.prompt_tokens,
      completionTokens: 3,
      estimated: false,
    });
  });

  it("streams chunks and, with include_usage, ends with a usage chunk", async () => {
    const stream = await openai.chat.completions.create({
      model: "fixture-small",
      messages: [{ role: "user", content: "[[fixture words=5]]" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const withChoices = chunks.filter((c) => c.choices.length);
    expect(withChoices[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(withChoices.map((c) => c.choices[0]!.delta.content ?? "").join("")).toBe(
      "w1 w2 w3 w4 w5",
    );
    expect(withChoices.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    for (const c of chunks) expect(c.object).toBe("chat.completion.chunk");
    expect(withChoices.every((c) => c.usage === null)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: 5,
      total_tokens: last.usage!.prompt_tokens + 5,
    });
  });

  it("streams without a usage chunk unless asked for", async () => {
    const stream = await openai.chat.completions.create({
      model: "fixture-small",
      messages: [{ role: "user", content: "[[fixture words=2]]" }],
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && !("usage" in c))).toBe(true);
  });

  it("passes text and image parts on to the provider", async () => {
    const image =
      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    const reply = await openai.chat.completions.create({
      model: "fixture-small",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: image, detail: "low" } },
          ],
        },
      ],
    });
    expect(reply.choices[0]!.message.content).toBe("Echo: What is this?");
    expect(chat.fixture.calls.at(-1)!.rawMessages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: image, detail: "low" } },
        ],
      },
    ]);
  });

  it("401 for a wrong, revoked or missing key, and for a session token", async () => {
    const wrong = await apiError(sdk(base, "parley_" + "a".repeat(52)).models.list());
    expect(wrong.status).toBe(401);
    expect(wrong.error).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key" });

    const key = await bob.client.auth.apiKeys.create.mutate({ name: "to revoke" });
    await bob.client.auth.apiKeys.revoke.mutate({ id: key.id });
    expect((await apiError(sdk(base, key.secret).models.list())).status).toBe(401);
    expect((await apiError(sdk(base, bob.accessToken).models.list())).status).toBe(401);

    const none = await fetch(`${base}/v1/chat/completions`, { method: "POST", body: "{}" });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({
      error: {
        message: expect.stringContaining("API key"),
        type: "invalid_request_error",
        code: null,
        param: null,
      },
    });
  });

  it("403 for a key without the chat scope", async () => {
    const key = await bob.client.auth.apiKeys.create.mutate({ name: "reader", scopes: ["read"] });
    const refused = await apiError(sdk(base, key.secret).models.list());
    expect(refused.status).toBe(403);
    expect(refused.error).toMatchObject({ code: "insufficient_permissions" });
  });

  it("404 model_not_found for a model Parley does not offer, without calling the provider", async () => {
    chat.fixture.reset();
    const refused = await apiError(
      openai.chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    expect(refused.error).toEqual({
      message: "The model `gpt-4o` does not exist or you do not have access to it.",
      type: "invalid_request_error",
      code: "model_not_found",
      param: "model",
    });
    expect(chat.fixture.calls).toEqual([]);
  });

  it("400 naming the parameter for bad input", async () => {
    const create = (body: Record<string, unknown>) =>
      apiError(
        openai.chat.completions.create({
          model: "fixture-small",
          messages: [{ role: "user", content: "hi" }],
          ...body,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming),
      );
    const hot = await create({ temperature: 5 });
    expect(hot).toBeInstanceOf(OpenAI.BadRequestError);
    expect(hot.error).toMatchObject({ type: "invalid_request_error", param: "temperature" });
    expect((await create({ messages: [] })).error).toMatchObject({ param: "messages" });
    expect(
      (await create({ messages: [{ role: "user", content: [{ type: "video", url: "x" }] }] }))
        .status,
    ).toBe(400);
    const tools = await create({ tools: [{ type: "function", function: { name: "f" } }] });
    expect(tools.error).toMatchObject({ code: "unsupported_parameter", param: "tools" });
    expect((await create({ max_tokens: 0 })).error).toMatchObject({ param: "max_tokens" });

    const notJson = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${openai.apiKey}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { type: string } }).error.type).toBe(
      "invalid_request_error",
    );
  });

  it("502 when the provider fails, with OpenAI's error body", async () => {
    const failed = await apiError(
      openai.chat.completions.create({
        model: "fixture-small",
        messages: [{ role: "user", content: "[[fixture fail=500]]" }],
      }),
    );
    expect(failed.status).toBe(502);
    expect(failed.error).toMatchObject({ type: "api_error", code: "upstream_error" });

    const stream = await apiError(
      openai.chat.completions.create({
        model: "fixture-small",
        messages: [{ role: "user", content: "[[fixture fail=500]]" }],
        stream: true,
      }),
    );
    expect(stream.status).toBe(502);
  });

  it("a stream whose client disconnects mid-reply stops the model and still records the tokens generated", async () => {
    const dave = await signUp(base, { username: "v1_dave" });
    const { secret } = await dave.client.auth.apiKeys.create.mutate({ name: "flaky" });
    const leaving = new AbortController();
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({
        model: "fixture-small",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "[[fixture words=300 delay=20]]" }],
      }),
      signal: leaving.signal,
    });
    expect(response.status).toBe(200);
    // Read until a few words have arrived, then go away (the TCP connection closes).
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = "";
    while (!/"content":"w3 "/.test(received))
      received += decoder.decode((await reader.read()).value, { stream: true });
    leaving.abort();

    const usage = () =>
      chat.server.server.deps.db.prisma.usageRecord.findMany({ where: { userId: dave.user.id } });
    const [record] = await eventually(async () => {
      const rows = await usage();
      return rows.length ? rows : undefined;
    });
    // What the model wrote before the client left, counted by Parley's tokenizer (the
    // provider's usage chunk never came), against the key; not the whole 300-word reply.
    expect(record).toMatchObject({ source: "api", model: "fixture-small", estimated: true });
    expect(record!.apiKeyId).toBeTruthy();
    expect(record!.promptTokens).toBeGreaterThan(0);
    expect(record!.completionTokens).toBeGreaterThanOrEqual(3);
    expect(record!.completionTokens).toBeLessThan(300);
    // Counted once, for the part written: nothing more arrives later.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await usage()).toHaveLength(1);
    expect((await dave.client.user.usage.query()).today.completionTokens).toBe(
      record!.completionTokens,
    );
  });

  it("a failure mid-stream ends the stream with an error event the SDK raises", async () => {
    const stream = await openai.chat.completions.create({
      model: "fixture-small",
      messages: [{ role: "user", content: "[[fixture words=10 fail=mid after=3]]" }],
      stream: true,
    });
    let text = "";
    const failure = await (async () => {
      try {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(text).toBe("w1 w2 w3 ");
    expect(failure).toBeInstanceOf(OpenAI.APIError);
  });

  it("429 insufficient_quota with Retry-After once the daily quota (shared with chat) is spent", async () => {
    const carol = await signUp(base, { username: "v1_carol" });
    await admin.client.user.admin.setQuota.mutate({ userId: carol.user.id, tokensPerDay: 1 });
    const key = await carol.client.auth.apiKeys.create.mutate({ name: "quota" });
    const carolSdk = sdk(base, key.secret);
    const ask = () =>
      carolSdk.chat.completions.create({
        model: "fixture-small",
        messages: [{ role: "user", content: "hello" }],
      });
    await ask();
    chat.fixture.reset();
    const refused = await apiError(ask());
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused.error).toMatchObject({
      type: "insufficient_quota",
      code: "insufficient_quota",
      message: expect.stringMatching(/daily quota of 1 tokens; it resets at/),
    });
    expect(Number(refused.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(chat.fixture.calls).toEqual([]);
    // The same quota refuses chat too.
    await expect(
      carol.client.chat.send.mutate({ content: "hi", clientMessageId: "q1" }),
    ).rejects.toMatchObject({
      data: { code: "TOO_MANY_REQUESTS" },
    });
  });

  describe("history: X-Parley-Conversation", () => {
    const rows = async (conversationId: string) =>
      (await bob.client.chat.messages.list.query({ conversationId })).items.map((m) => [
        m.role,
        m.content,
        m.status,
      ]);

    it("`new` stores the exchange in a new conversation named after the question", async () => {
      const { data, response } = await openai.chat.completions
        .create(
          {
            model: "fixture-small",
            messages: [
              { role: "system", content: "Be brief." },
              { role: "user", content: "Quarterly numbers [[fixture words=4]]" },
            ],
          },
          { headers: { "X-Parley-Conversation": "new" } },
        )
        .withResponse();
      expect(data.choices[0]!.message.content).toBe("w1 w2 w3 w4");
      const id = response.headers.get("x-parley-conversation")!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const conversation = await bob.client.chat.conversations.get.query({ id });
      expect(conversation).toMatchObject({ title: "Quarterly numbers [[fixture words=4]]" });
      expect(await rows(id)).toEqual([
        ["user", "Quarterly numbers [[fixture words=4]]", "complete"],
        ["assistant", "w1 w2 w3 w4", "complete"],
      ]);
      const stored = await bob.client.chat.messages.list.query({ conversationId: id });
      expect(stored.items[1]).toMatchObject({
        model: "fixture-small",
        promptTokens: data.usage!.prompt_tokens,
        completionTokens: 4,
      });
    });

    it("a conversation id continues it, streamed, and a stream cut off is kept as error", async () => {
      const first = await openai.chat.completions
        .create(
          { model: "fixture-small", messages: [{ role: "user", content: "one" }] },
          { headers: { "X-Parley-Conversation": "new" } },
        )
        .withResponse();
      const id = first.response.headers.get("x-parley-conversation")!;
      const stream = await openai.chat.completions.create(
        {
          model: "fixture-small",
          messages: [{ role: "user", content: "two [[fixture words=3]]" }],
          stream: true,
        },
        { headers: { "X-Parley-Conversation": id } },
      );
      for await (const chunk of stream) void chunk;
      expect(await rows(id)).toEqual([
        ["user", "one", "complete"],
        ["assistant", "Echo: one", "complete"],
        ["user", "two [[fixture words=3]]", "complete"],
        ["assistant", "w1 w2 w3", "complete"],
      ]);

      const broken = await openai.chat.completions.create(
        {
          model: "fixture-small",
          messages: [{ role: "user", content: "three [[fixture words=10 fail=mid after=2]]" }],
          stream: true,
        },
        { headers: { "X-Parley-Conversation": id } },
      );
      await (async () => {
        for await (const chunk of broken) void chunk;
      })().catch(() => undefined);
      expect((await rows(id)).slice(4)).toEqual([
        ["user", "three [[fixture words=10 fail=mid after=2]]", "complete"],
        ["assistant", "w1 w2 ", "error"],
      ]);
    });

    it("another user's conversation is 404 and stays untouched; a bad value is 400", async () => {
      const mallory = await signUp(base, { username: "v1_mallory" });
      const malloryKey = await mallory.client.auth.apiKeys.create.mutate({ name: "m" });
      const bobs = await openai.chat.completions
        .create(
          { model: "fixture-small", messages: [{ role: "user", content: "private" }] },
          { headers: { "X-Parley-Conversation": "new" } },
        )
        .withResponse();
      const id = bobs.response.headers.get("x-parley-conversation")!;
      chat.fixture.reset();
      const refused = await apiError(
        sdk(base, malloryKey.secret).chat.completions.create(
          { model: "fixture-small", messages: [{ role: "user", content: "mine now" }] },
          { headers: { "X-Parley-Conversation": id } },
        ),
      );
      expect(refused.status).toBe(404);
      expect(refused.error).toMatchObject({ message: "Conversation not found" });
      expect(chat.fixture.calls).toEqual([]);
      expect(await rows(id)).toHaveLength(2);

      const bad = await apiError(
        openai.chat.completions.create(
          { model: "fixture-small", messages: [{ role: "user", content: "x" }] },
          { headers: { "X-Parley-Conversation": "../etc" } },
        ),
      );
      expect(bad.status).toBe(400);
      expect(bad.error).toMatchObject({ param: "X-Parley-Conversation" });
    });

    it("without the header nothing is stored", async () => {
      const before = (await bob.client.chat.conversations.list.query()).items.length;
      await openai.chat.completions.create({
        model: "fixture-small",
        messages: [{ role: "user", content: "ephemeral" }],
      });
      expect((await bob.client.chat.conversations.list.query()).items.length).toBe(before);
    });
  });

  it("/metrics counts /v1 tokens by model and source, quota refusals, latency and first tokens", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (series: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line ? Number(line.split(" ")[1]) : NaN;
    };
    expect(
      value('parley_usage_tokens_total{model="fixture-large",source="api",kind="completion"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(value('parley_quota_refusals_total{source="api"}')).toBeGreaterThanOrEqual(1);
    expect(
      value(
        'parley_v1_request_duration_seconds_count{endpoint="chat.completions",stream="true",status="200"}',
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      value(
        'parley_v1_request_duration_seconds_count{endpoint="chat.completions",stream="false",status="429"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value('parley_v1_time_to_first_token_seconds_count{model="fixture-small"}'),
    ).toBeGreaterThanOrEqual(2);
  });

  it("every other /v1 path is a JSON 404, never the web app", async () => {
    expect(await (await fetch(`${base}/somewhere`)).text()).toContain("<title>Parley</title>");
    for (const [method, path] of [
      ["GET", "/v1/embeddings"],
      ["POST", "/v1/responses"],
      ["GET", "/v1/chat/completions"],
      ["GET", "/v1"],
    ] as const) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${openai.apiKey}` },
      });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unknown_url");
    }
  });
});

import { createServer } from "node:net";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCompletionStream } from "../src/features/chat/completion-stream";

let fixture: ModelFixture;
let client: OpenAI;
beforeAll(async () => {
  fixture = await startModelFixture({ apiKey: "fixture-key" });
  client = new OpenAI({ baseURL: fixture.baseUrl, apiKey: "fixture-key", maxRetries: 0 });
});
afterAll(() => fixture?.close());

const request = (content: string) => ({
  model: "fixture-small",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content }],
});

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

async function read(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("a streamed completion without the SDK", () => {
  it("yields the provider's chunks in order, the usage chunk last, and nothing after [DONE]", async () => {
    const chunks = await read(
      await openCompletionStream(client, request("hello [[fixture words=5]]"), {
        signal: new AbortController().signal,
      }),
    );
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text.trim().split(/\s+/)).toHaveLength(5);
    expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: expect.any(Number) });
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
  });

  it("refusals are the SDK's error classes, with the provider's headers", async () => {
    const signal = new AbortController().signal;
    const limited = await failureOf(
      openCompletionStream(client, request("[[fixture fail=429]]"), { signal }),
    );
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe(
      "1",
    );
    const wrongKey = new OpenAI({ baseURL: fixture.baseUrl, apiKey: "wrong", maxRetries: 0 });
    expect(
      await failureOf(openCompletionStream(wrongKey, request("hi"), { signal })),
    ).toBeInstanceOf(OpenAI.AuthenticationError);
    const failed = await failureOf(
      openCompletionStream(client, request("[[fixture fail=500]]"), { signal }),
    );
    expect(failed).toBeInstanceOf(OpenAI.InternalServerError);
    expect((failed as InstanceType<typeof OpenAI.APIError>).message).toContain(
      "The server had an error",
    );
  });

  it("a provider that does not answer in time, a cancelled request and no server are told apart", async () => {
    const hung = await failureOf(
      openCompletionStream(client, request("[[fixture fail=hang]]"), {
        signal: new AbortController().signal,
        timeoutMs: 200,
      }),
    );
    expect(hung).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);

    const controller = new AbortController();
    const cancelled = failureOf(
      openCompletionStream(client, request("[[fixture fail=hang]]"), { signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 50);
    expect(await cancelled).toBeInstanceOf(OpenAI.APIUserAbortError);

    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const nowhere = new OpenAI({ baseURL: `http://127.0.0.1:${closedPort}/v1`, apiKey: "k" });
    expect(
      await failureOf(openCompletionStream(nowhere, request("hi"), { signal: controller.signal })),
    ).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(
      await failureOf(
        openCompletionStream(nowhere, request("hi"), { signal: new AbortController().signal }),
      ),
    ).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it("a stream that breaks off mid-reply throws from the iteration after the chunks before it", async () => {
    const chunks: string[] = [];
    const stream = await openCompletionStream(
      client,
      request("[[fixture words=10 fail=mid after=4]]"),
      { signal: new AbortController().signal },
    );
    const error = await failureOf(
      (async () => {
        for await (const chunk of stream) chunks.push(chunk.choices[0]?.delta?.content ?? "");
      })(),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(chunks.join("").trim().split(/\s+/)).toHaveLength(4);
  });
});

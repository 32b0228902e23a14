import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseMarker, startModelFixture, type ModelFixture } from "../src";

let fixture: ModelFixture;
let openai: OpenAI;

beforeAll(async () => {
  fixture = await startModelFixture({ apiKey: "test-key" });
  openai = new OpenAI({ baseURL: fixture.baseUrl, apiKey: "test-key", maxRetries: 0 });
});
afterAll(() => fixture?.close());
beforeEach(() => fixture.reset());

async function streamText(content: string) {
  const stream = await openai.chat.completions.create({
    model: "fixture-small",
    messages: [{ role: "user", content }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, usage };
}

describe("model fixture through the openai SDK", () => {
  it("lists its models", async () => {
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["fixture-small", "fixture-large"]);
  });

  it("streams an echo of the last user message with usage, and logs the call", async () => {
    const { text, usage } = await streamText("hello there");
    expect(text).toBe("Echo: hello there");
    expect(usage?.completion_tokens).toBe(3);
    expect(fixture.calls).toHaveLength(1);
    expect(fixture.calls[0]).toMatchObject({ model: "fixture-small", stream: true });
  });

  it("answers without streaming", async () => {
    const reply = await openai.chat.completions.create({
      model: "fixture-large",
      messages: [{ role: "user", content: "[[fixture reply=Short%20title]]" }],
    });
    expect(reply.choices[0]?.message.content).toBe("Short title");
    expect(reply.usage?.completion_tokens).toBe(2);
  });

  it("streams numbered words from a marker", async () => {
    const { text } = await streamText("count [[fixture words=5 delay=1]]");
    expect(text).toBe("w1 w2 w3 w4 w5");
  });

  it("drops the connection mid-stream after the chunks asked for", async () => {
    const received: string[] = [];
    const run = async () => {
      const stream = await openai.chat.completions.create({
        model: "m",
        messages: [{ role: "user", content: "[[fixture words=10 fail=mid after=4]]" }],
        stream: true,
      });
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    };
    await expect(run()).rejects.toThrow();
    expect(received.join("")).toBe("w1 w2 w3 w4 ");
  });

  it.each([
    ["500", OpenAI.InternalServerError],
    ["429", OpenAI.RateLimitError],
    ["401", OpenAI.AuthenticationError],
  ] as const)("fails with HTTP %s before the first token", async (status, errorClass) => {
    await expect(streamText(`[[fixture fail=${status}]]`)).rejects.toBeInstanceOf(errorClass);
  });

  it("hangs until the client gives up", async () => {
    const controller = new AbortController();
    const pending = openai.chat.completions.create(
      { model: "m", messages: [{ role: "user", content: "[[fixture fail=hang]]" }], stream: true },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
  });

  it("runs queued scripts in order, for requests without a marker", async () => {
    fixture.enqueue({ reply: "first" }, { fail: "429" });
    expect((await streamText("a")).text).toBe("first");
    await expect(streamText("b")).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    expect((await streamText("c")).text).toBe("Echo: c");
  });

  it("accepts scripts and reports calls over its admin endpoints", async () => {
    const origin = fixture.baseUrl.replace(/\/v1$/, "");
    await fetch(`${origin}/admin/script`, { method: "POST", body: JSON.stringify({ words: 2 }) });
    expect((await streamText("x")).text).toBe("w1 w2");
    const { calls } = (await (await fetch(`${origin}/admin/calls`)).json()) as { calls: unknown[] };
    expect(calls).toHaveLength(1);
  });

  it("refuses a wrong API key", async () => {
    const wrong = new OpenAI({ baseURL: fixture.baseUrl, apiKey: "nope", maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("rejects unknown marker keys clearly", () => {
    expect(() => parseMarker("[[fixture nope=1]]")).toThrow(/unknown key nope/);
    expect(parseMarker("no marker here")).toBeNull();
  });
});

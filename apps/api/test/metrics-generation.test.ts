import type { SignedIn } from "@parley/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  newClientId,
  readStream,
  startChatServer,
  type ChatServer,
} from "./chat-helpers";
import { scrape, type Sample, type TestServer } from "./ops-helpers";

// Model metrics and open streams, from real generations against the scripted model server.
let chat: ChatServer;
let t: TestServer;
let alice: SignedIn;

beforeAll(async () => {
  chat = await startChatServer("metrics_gen");
  ({ server: t, user: alice } = chat);
});
afterAll(() => chat?.stop());

const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;

describe("model metrics after real generations", () => {
  it("count time to first token, duration, tokens by kind and outcomes by model", async () => {
    const ok = await alice.client.chat.send.mutate({
      content: "[[fixture ttft=50 delay=5]] Hello metrics",
      clientMessageId: newClientId(),
    });
    expect(
      (await readStream(alice.client, { messageId: ok.assistantMessage.id })).final?.status,
    ).toBe("complete");
    const failed = await alice.client.chat.send.mutate({
      content: "[[fixture words=8 fail=mid after=3]]",
      clientMessageId: newClientId(),
    });
    expect(
      (await readStream(alice.client, { messageId: failed.assistantMessage.id })).final?.status,
    ).toBe("error");

    // The outcome is recorded as the reply is stored, just after the stream's last event.
    const samples = await eventually(async () => {
      const { samples } = await scrape(t.base);
      return value(samples, "parley_generations_total", { model: "fixture-small", status: "error" })
        ? samples
        : undefined;
    });
    expect(
      value(samples, "parley_generations_total", { model: "fixture-small", status: "complete" }),
    ).toBe(1);
    // Both replies produced text (the failing one 3 words before it broke).
    expect(
      value(samples, "parley_model_time_to_first_token_seconds_count", { model: "fixture-small" }),
    ).toBe(2);
    expect(
      value(samples, "parley_model_time_to_first_token_seconds_sum", { model: "fixture-small" }),
    ).toBeGreaterThan(0);
    expect(
      value(samples, "parley_model_generation_duration_seconds_count", { model: "fixture-small" }),
    ).toBe(2);
    expect(
      value(samples, "parley_model_tokens_total", { model: "fixture-small", kind: "completion" }),
    ).toBeGreaterThan(0);
    expect(
      value(samples, "parley_model_tokens_total", { model: "fixture-small", kind: "prompt" }),
    ).toBeGreaterThan(0);
    // The kind of failure is a short word from the generation service, never a message.
    const errors = samples.filter((s) => s.name === "parley_generation_errors_total");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      labels: { model: "fixture-small", kind: expect.stringMatching(/^[a-z_]{1,32}$/) },
      value: 1,
    });
  });

  it("count a chat stream as open while a client reads it, and closed once it goes away", async () => {
    const openStreams = async () =>
      value((await scrape(t.base)).samples, "parley_open_streams", { procedure: "chat.stream" });
    expect(await openStreams()).toBe(0);
    const sent = await alice.client.chat.send.mutate({
      content: "[[fixture words=300 delay=20]]",
      clientMessageId: newClientId(),
    });
    let seenWhileOpen: number | undefined;
    await new Promise<void>((resolve, reject) => {
      const subscription = alice.client.chat.stream.subscribe(
        { messageId: sent.assistantMessage.id },
        {
          onData: () => {
            if (seenWhileOpen !== undefined) return;
            seenWhileOpen = -1;
            openStreams().then((n) => {
              seenWhileOpen = n;
              subscription.unsubscribe();
              resolve();
            }, reject);
          },
          onError: reject,
        },
      );
    });
    expect(seenWhileOpen).toBe(1);
    // The server notices the client left and closes its side.
    await eventually(async () => ((await openStreams()) === 0 ? true : undefined));
    await alice.client.chat.stop.mutate({ messageId: sent.assistantMessage.id });
  });
});

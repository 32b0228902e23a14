import { createParleyClient } from "@parley/client";
import { benchModel } from "../lib/environment";
import { percentile } from "../lib/load";
import { figures } from "../lib/report";
import { fmtMs, type BenchContext } from "./context";
import { signIn } from "./data";

/** Time to the first content chunk of a streamed completion, as an OpenAI client sees it. */
async function firstToken(
  baseUrl: string,
  apiKey: string,
  content: string,
): Promise<{ firstMs: number; startedAt: number }> {
  const startedAt = performance.timeOrigin + performance.now();
  const started = performance.now();
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      model: benchModel,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content }],
    }),
  });
  if (!response.ok) throw new Error(`${baseUrl}: HTTP ${response.status} ${await response.text()}`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let firstMs: number | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    if (firstMs === null && /"content":"[^"]/.test(buffer)) firstMs = performance.now() - started;
  }
  if (firstMs === null) throw new Error(`${baseUrl}: no content in the stream`);
  return { firstMs, startedAt };
}

interface FixtureCall {
  receivedAt: string;
  stream: boolean;
  messages: { content: string }[];
}

/**
 * /v1/chat/completions → first token against the fixture's own, one request at a time, each
 * sample of Parley beside one straight to the fixture. Spread over several users' API keys:
 * /v1 has the same per-user per-minute budget as chat sends.
 */
export async function measureOpenAIFirstToken(ctx: BenchContext, samples: number): Promise<void> {
  const keys: string[] = [];
  for (const user of ctx.data.firstTokenUsers.slice(0, 10)) {
    const client = createParleyClient({ url: ctx.api.url, token: await signIn(ctx.api.url, user) });
    keys.push((await client.auth.apiKeys.create.mutate({ name: "bench /v1" })).secret);
  }
  // Warm-up: connections, JIT, each key's cache entry.
  for (const key of keys) {
    await firstToken(ctx.fixture.url, "fixture", "warm up");
    await firstToken(ctx.api.url, key, "warm up");
  }
  await fetch(`${ctx.fixture.url}/admin/reset`, { method: "POST" });
  const direct: number[] = [];
  const parley: number[] = [];
  const sent: { marker: string; startedAt: number; firstMs: number }[] = [];
  for (let i = 0; i < samples; i++) {
    direct.push((await firstToken(ctx.fixture.url, "fixture", `Direct question ${i}`)).firstMs);
    const marker = `Question v1-${i}`;
    const sample = await firstToken(ctx.api.url, keys[i % keys.length]!, marker);
    parley.push(sample.firstMs);
    sent.push({ marker, ...sample });
  }
  // Where the time goes, from the fixture's log of when each model request arrived (ms).
  const calls = (
    (await (await fetch(`${ctx.fixture.url}/admin/calls`)).json()) as { calls: FixtureCall[] }
  ).calls;
  const toModel: number[] = [];
  const afterModel: number[] = [];
  for (const { marker, startedAt, firstMs } of sent) {
    const call = calls.find((c) => c.stream && c.messages.at(-1)?.content === marker);
    if (!call) continue;
    const received = Date.parse(call.receivedAt);
    toModel.push(received - startedAt);
    afterModel.push(startedAt + firstMs - (received + ctx.fixtureTtftMs));
  }
  for (const list of [direct, parley, toModel, afterModel]) list.sort((a, b) => a - b);
  const overheadP50 = percentile(parley, 50) - percentile(direct, 50);
  const overheadP99 = percentile(parley, 99) - percentile(direct, 99);
  const met = overheadP50 < 5;
  ctx.checks.push({
    target: "/v1/chat/completions adds < 5 ms to the model's time to first token",
    figure: `+${overheadP50.toFixed(1)} ms at the median (+${overheadP99.toFixed(1)} ms at p99), fixture TTFT set to ${ctx.fixtureTtftMs} ms; median ${fmtMs(percentile(toModel, 50))} from the request to the model request, ${fmtMs(percentile(afterModel, 50))} from the model's first token to the client`,
    met,
  });
  const p50p99 = (list: number[]) =>
    `${fmtMs(percentile(list, 50))} / ${fmtMs(percentile(list, 99))}`;
  ctx.sections.push(
    figures(
      `/v1/chat/completions → first token (${samples} sequential streamed completions with a personal API key; fixture TTFT ${ctx.fixtureTtftMs} ms)`,
      [
        { name: "fixture alone: first token p50 / p99", value: p50p99(direct) },
        { name: "through Parley /v1: first token p50 / p99", value: p50p99(parley) },
        {
          name: "overhead at the median",
          value: `${overheadP50.toFixed(1)} ms`,
          target: "< 5 ms",
          met,
        },
        { name: "overhead at p99", value: `${overheadP99.toFixed(1)} ms` },
        { name: "request sent → model request arrives, p50 / p99", value: p50p99(toModel) },
        { name: "model's first token sent → client has it, p50 / p99", value: p50p99(afterModel) },
      ],
    ),
    "",
  );
}

import { randomUUID } from "node:crypto";
import path from "node:path";
import { createParleyClient, type ParleyClient } from "@parley/client";
import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import { EventSource } from "eventsource";
import pg from "pg";
import superjson from "superjson";
import { startWithStats } from "../lib/processes";
import type { FloorSseRouter } from "../servers/floor-trpc-sse";
import { percentile } from "../lib/load";
import { figures } from "../lib/report";
import type { SeededUser } from "../lib/seed";
import { fmtMs, type BenchContext } from "./context";
import { signIn } from "./data";

/** What chat.stream's onData receives: tracked events, `{ delta }` then a final status. */
type StreamEvent = { id: string; data: { delta?: string; status?: string } };

interface OpenedReply {
  conversationId: string;
  messageId: string;
  /** True once the final event arrived (or the subscription failed). */
  readonly ended: boolean;
  /** Clock time (ms since the epoch) chat.send was called, and how long it took to answer. */
  startedAt: number;
  sendMs: number;
  /** Milliseconds from calling chat.send to the first text of the reply. */
  firstTokenMs: number;
  /** Resolves with the final status and the text received. */
  done: Promise<{ status: string; text: string }>;
  close(): void;
}

/** Sends a message and follows its reply over SSE, as the web app and tools do. */
async function openReply(
  client: ParleyClient,
  content: string,
  conversationId?: string,
): Promise<OpenedReply> {
  const started = performance.now();
  const sent = await client.chat.send.mutate({
    content,
    clientMessageId: randomUUID(),
    conversationId,
  });
  const sentAt = performance.now();
  let resolveFirst!: (ms: number) => void;
  let rejectFirst!: (error: unknown) => void;
  const first = new Promise<number>((resolve, reject) => {
    resolveFirst = resolve;
    rejectFirst = reject;
  });
  let text = "";
  let ended = false;
  let resolveDone!: (v: { status: string; text: string }) => void;
  const done = new Promise<{ status: string; text: string }>((resolve) => (resolveDone = resolve));
  const subscription = client.chat.stream.subscribe(
    { messageId: sent.assistantMessage.id },
    {
      onData(event: unknown) {
        const { data } = event as StreamEvent;
        if (data.delta) {
          if (!text) resolveFirst(performance.now() - started);
          text += data.delta;
        }
        if (data.status) {
          if (!text) rejectFirst(new Error(`the reply ended "${data.status}" before any text`));
          ended = true;
          resolveDone({ status: data.status, text });
          subscription.unsubscribe();
        }
      },
      onError(error) {
        ended = true;
        rejectFirst(error);
        resolveDone({ status: `client error: ${error.message}`, text });
      },
    },
  );
  const timeout = setTimeout(() => rejectFirst(new Error("no first token within 60 s")), 60_000);
  const firstTokenMs = await first
    .finally(() => clearTimeout(timeout))
    .catch((error: unknown) => {
      subscription.unsubscribe();
      throw error;
    });
  return {
    conversationId: sent.conversation.id,
    messageId: sent.assistantMessage.id,
    get ended() {
      return ended;
    },
    startedAt: performance.timeOrigin + started,
    sendMs: sentAt - started,
    firstTokenMs,
    done,
    close: () => subscription.unsubscribe(),
  };
}

/** Time to the first content chunk straight from the fixture, as a streaming client sees it. */
async function directFirstToken(fixtureUrl: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${fixtureUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer fixture" },
    body: JSON.stringify({
      model: "fixture-small",
      stream: true,
      messages: [{ role: "user", content: "hello" }],
    }),
  });
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
  if (firstMs === null) throw new Error("the fixture sent no content");
  return firstMs;
}

function clientFor(ctx: BenchContext, token: string): ParleyClient {
  return createParleyClient({ url: ctx.api.url, token });
}

async function signInAll(ctx: BenchContext, users: SeededUser[]): Promise<ParleyClient[]> {
  const clients: ParleyClient[] = [];
  for (const user of users) clients.push(clientFor(ctx, await signIn(ctx.api.url, user)));
  return clients;
}

/**
 * chat.send → first token, against the fixture's set time to first token, one request at
 * a time so the figure is latency, not queueing. The overhead is Parley's median minus the
 * fixture's own median, both measured from this process.
 */
export async function measureFirstToken(ctx: BenchContext, samples: number): Promise<void> {
  const users = ctx.data.firstTokenUsers;
  const clients = await signInAll(ctx, users);
  // Warm up both paths (connections, JIT) and give each user a conversation: later sends
  // go into it, so no sample pays for (or overlaps) the title made after a first reply.
  const conversations: string[] = [];
  for (const client of clients) {
    await directFirstToken(ctx.fixture.url);
    const warm = await openReply(client, "warm up");
    await warm.done;
    conversations.push(warm.conversationId);
  }
  await new Promise((r) => setTimeout(r, 1_000)); // let the titles be written
  await fetch(`${ctx.fixture.url}/admin/reset`, { method: "POST" });

  const direct: number[] = [];
  const parley: number[] = [];
  const send: number[] = [];
  const toModel: number[] = [];
  const afterModel: number[] = [];
  const failures: string[] = [];
  const sent: Array<{ marker: string; reply: OpenedReply }> = [];
  for (let i = 0; i < samples; i++) {
    direct.push(await directFirstToken(ctx.fixture.url));
    const marker = `Question ${i} of the first-token run`;
    const reply = await openReply(
      clients[i % clients.length]!,
      marker,
      conversations[i % clients.length],
    );
    parley.push(reply.firstTokenMs);
    send.push(reply.sendMs);
    sent.push({ marker, reply });
    const end = await reply.done;
    if (end.status !== "complete") failures.push(end.status);
  }
  // Where the time goes, from the fixture's log of when each model request arrived.
  const calls = (
    (await (await fetch(`${ctx.fixture.url}/admin/calls`)).json()) as { calls: FixtureCall[] }
  ).calls;
  for (const { marker, reply } of sent) {
    const call = calls.find((c) => c.stream && c.messages.at(-1)?.content.includes(marker));
    if (!call) continue;
    const received = Date.parse(call.receivedAt);
    toModel.push(received - reply.startedAt);
    afterModel.push(reply.startedAt + reply.firstTokenMs - (received + ctx.fixtureTtftMs));
  }
  for (const list of [direct, parley, send, toModel, afterModel]) list.sort((a, b) => a - b);
  const overheadP50 = percentile(parley, 50) - percentile(direct, 50);
  const overheadP99 = percentile(parley, 99) - percentile(direct, 99);
  const met = overheadP50 < 5 && failures.length === 0;
  ctx.checks.push({
    target: "chat.send adds < 5 ms to the model's time to first token",
    figure: `+${overheadP50.toFixed(1)} ms at the median (+${overheadP99.toFixed(1)} ms at p99), fixture TTFT set to ${ctx.fixtureTtftMs} ms; median ${fmtMs(percentile(toModel, 50))} from chat.send to the model request, ${fmtMs(percentile(afterModel, 50))} from the model's first token to the client${failures.length ? `, ${failures.length} replies not complete` : ""}`,
    met,
  });
  const p50p99 = (list: number[]) =>
    `${fmtMs(percentile(list, 50))} / ${fmtMs(percentile(list, 99))}`;
  ctx.sections.push(
    figures(
      `chat.send → first token (${samples} sequential sends over SSE with @parley/client; fixture TTFT ${ctx.fixtureTtftMs} ms)`,
      [
        { name: "fixture alone: first token p50 / p99", value: p50p99(direct) },
        { name: "through Parley: first token p50 / p99", value: p50p99(parley) },
        {
          name: "overhead at the median",
          value: `${overheadP50.toFixed(1)} ms`,
          target: "< 5 ms",
          met,
        },
        { name: "overhead at p99", value: `${overheadP99.toFixed(1)} ms` },
        { name: "chat.send call (HTTP answer) p50 / p99", value: p50p99(send) },
        { name: "chat.send called → model request arrives, p50 / p99", value: p50p99(toModel) },
        { name: "model's first token sent → client has it, p50 / p99", value: p50p99(afterModel) },
        { name: "replies not complete", value: String(failures.length) },
      ],
    ),
    "",
  );
}

interface FixtureCall {
  stream: boolean;
  messages: Array<{ role: string; content: string }>;
  receivedAt: string;
}

/** Runs `task` over `items`, `concurrency` at a time. */
async function eachLimited<T>(
  items: T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index]!, index);
      }
    }),
  );
}

/**
 * Many replies streaming at once in one API process: each is a real generation (the
 * fixture streams a chunk every `chunkMs`, for longer than the run) with an SSE subscriber
 * in this process. Memory is read inside the API after a full GC, before and while all
 * streams are open; the event-loop delay covers the time all of them are open. Then every
 * reply is stopped with chat.stop and must end `stopped` with its text so far.
 */
export async function measureConcurrentStreams(
  ctx: BenchContext,
  count: number,
  chunkMs: number,
): Promise<void> {
  const floor = await measureStreamFloor(count, chunkMs, Math.max(2, ctx.seconds));
  const users = ctx.data.streamers;
  const clients = await signInAll(ctx, users);
  // Long enough to outlive the run at any sensible pace (2,000 chunks); chat.stop ends them.
  const words = 2_000;
  const content = `[[fixture words=${words} delay=${chunkMs} ttft=0]] Tell me a long story.`;
  const fullText = Array.from({ length: words }, (_, i) => `w${i + 1}`).join(" ");
  // One short reply per user first, so code loaded and caches filled on first use are in
  // the baseline rather than counted against the streams.
  await Promise.all(
    clients.map(
      async (client) =>
        (await openReply(client, "[[fixture words=3 delay=1 ttft=0]] warm up")).done,
    ),
  );
  await new Promise((r) => setTimeout(r, 1_000));
  // BENCH_HEAP_SNAPSHOTS=<dir> writes heap snapshots before and with the streams open.
  const snapshotDir = process.env.BENCH_HEAP_SNAPSHOTS;
  const snapshot = (name: string) =>
    snapshotDir ? { heapSnapshot: path.join(snapshotDir, `${name}.heapsnapshot`) } : {};
  const before = await ctx.api.stats({ gc: true, reset: true, ...snapshot("streams-before") });

  const replies: Array<{ reply: OpenedReply; client: ParleyClient; messageId: string }> = [];
  const openErrors: string[] = [];
  const openStarted = performance.now();
  // 50 at a time, as many users arriving at once would.
  await eachLimited(
    Array.from({ length: count }, (_, i) => i),
    50,
    async (i) => {
      const client = clients[i % clients.length]!;
      try {
        const reply = await openReply(client, content);
        replies.push({ reply, client, messageId: reply.messageId });
      } catch (error) {
        openErrors.push((error as Error).message);
      }
    },
  );
  const openSeconds = (performance.now() - openStarted) / 1000;
  const ended = () => replies.filter((r) => r.reply.ended).length;
  await ctx.api.stats({ reset: true });
  const holdSeconds = Math.max(2, ctx.seconds);
  const transactionsBefore = await databaseTransactions(ctx.databaseUrl);
  await new Promise((r) => setTimeout(r, holdSeconds * 1000));
  const transactionsAfter = await databaseTransactions(ctx.databaseUrl);
  const during = await ctx.api.stats({ gc: true });
  const open = replies.length - ended();
  if (snapshotDir) await ctx.api.stats({ gc: true, ...snapshot("streams-open") });

  const stopErrors: string[] = [];
  await eachLimited(replies, 20, async ({ client, messageId }) => {
    await client.chat.stop
      .mutate({ messageId })
      .catch((error: Error) => stopErrors.push(error.message));
  });
  const deadline = new Promise<{ status: string; text: string }>((resolve) =>
    setTimeout(
      () => resolve({ status: "did not end within 60 s of chat.stop", text: "" }),
      60_000,
    ).unref(),
  );
  const ends = await Promise.all(replies.map((r) => Promise.race([r.reply.done, deadline])));
  for (const r of replies) r.reply.close();
  const stoppedWithText = ends.filter(
    (e) => e.status === "stopped" && e.text.length > 0 && fullText.startsWith(e.text),
  ).length;

  const rssPerStream = (during.rss - before.rss) / open;
  const heapPerStream =
    (during.heapUsed + during.external - before.heapUsed - before.external) / open;
  const allOpen = open === count;
  const memoryMet = allOpen && rssPerStream < 100 * 1024;
  const vsFloor = (base: number) => ` (floor: ${kb(base)})`;
  const allEnded = stoppedWithText === replies.length && stopErrors.length === 0;
  ctx.checks.push({
    target: `${count.toLocaleString("en")} concurrent streams in one API process at < 100 KB each`,
    figure: `${(rssPerStream / 1024).toFixed(1)} KB RSS per stream (${(heapPerStream / 1024).toFixed(1)} KB JS heap + external; a bare tRPC SSE subscription: ${(floor.rssPerStream / 1024).toFixed(1)} KB RSS, ${(floor.heapPerStream / 1024).toFixed(1)} KB heap), ${open} of ${count} open at once${openErrors.length ? ` (${openErrors.length} sends failed: ${openErrors[0]})` : ""}, event-loop delay p99 ${fmtMs(during.eventLoop.p99)}`,
    met: memoryMet && allEnded,
  });
  ctx.sections.push(
    figures(
      `${count.toLocaleString("en")} concurrent streams in one API process (a chunk every ${chunkMs} ms each, ~${Math.round((count * 1000) / chunkMs)} events/s in all)`,
      [
        {
          name: "streams opened (chat.send + chat.stream, 50 at a time)",
          value: `${replies.length} in ${openSeconds.toFixed(1)} s${openErrors.length ? `; ${openErrors.length} sends failed: ${openErrors[0]}` : ""}`,
        },
        {
          name: "open at once while measuring",
          value: `${open}`,
          target: `${count}`,
          met: allOpen,
        },
        {
          name: "memory per open stream (RSS, after GC)",
          value: kb(rssPerStream) + vsFloor(floor.rssPerStream),
          target: "< 100 KB",
          met: memoryMet,
        },
        {
          name: "memory per open stream (JS heap + external, after GC)",
          value: kb(heapPerStream) + vsFloor(floor.heapPerStream),
        },
        {
          name: "API RSS before / with all streams open",
          value: `${mb(before.rss)} / ${mb(during.rss)}`,
        },
        {
          name: "event-loop delay while open: p50 / p99 / max",
          value: `${fmtMs(during.eventLoop.p50)} / ${fmtMs(during.eventLoop.p99)} / ${fmtMs(during.eventLoop.max)} (floor: ${fmtMs(floor.eventLoopP99)} p99)`,
        },
        ...(transactionsBefore !== undefined && transactionsAfter !== undefined
          ? [
              {
                name: "database transactions per second while open",
                value: String(Math.round((transactionsAfter - transactionsBefore) / holdSeconds)),
              },
            ]
          : []),
        {
          name: "replies ended `stopped` with their text after chat.stop",
          value: `${stoppedWithText} of ${replies.length}${stopErrors.length ? `; ${stopErrors.length} stops failed: ${stopErrors[0]}` : ""}`,
          target: "all",
          met: allEnded,
        },
      ],
    ),
    "",
  );
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

interface StreamFloor {
  rssPerStream: number;
  heapPerStream: number;
  eventLoopP99: number;
}

/**
 * The same number of open SSE subscriptions on a bare tRPC + Hono server that yields a
 * chunk at the same pace and does nothing else: what the stack itself costs per stream.
 */
async function measureStreamFloor(
  count: number,
  chunkMs: number,
  holdSeconds: number,
): Promise<StreamFloor> {
  const server = await startWithStats("bench/servers/floor-trpc-sse.ts", {
    STREAM_CHUNK_MS: String(chunkMs),
  });
  const client = createTRPCClient<FloorSseRouter>({
    links: [
      httpSubscriptionLink({ url: `${server.url}/trpc`, transformer: superjson, EventSource }),
    ],
  });
  const subscriptions: Array<{ unsubscribe(): void }> = [];
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const subscription = client.stream.subscribe(
        { words: 100_000 },
        { onData: () => resolve(), onError: (error) => reject(error) },
      );
      subscriptions.push(subscription);
    });
  try {
    await eachLimited(
      Array.from({ length: 20 }, (_, i) => i),
      20,
      () => open(),
    );
    for (const s of subscriptions.splice(0)) s.unsubscribe();
    await new Promise((r) => setTimeout(r, 500));
    const before = await server.stats({ gc: true, reset: true });
    await eachLimited(
      Array.from({ length: count }, (_, i) => i),
      50,
      () => open(),
    );
    await server.stats({ reset: true });
    await new Promise((r) => setTimeout(r, holdSeconds * 1000));
    const during = await server.stats({ gc: true });
    return {
      rssPerStream: (during.rss - before.rss) / count,
      heapPerStream:
        (during.heapUsed + during.external - before.heapUsed - before.external) / count,
      eventLoopP99: during.eventLoop.p99,
    };
  } finally {
    for (const s of subscriptions) s.unsubscribe();
    await server.stop();
  }
}

/** Commits + rollbacks so far in the API's Postgres database (undefined on PGlite). */
async function databaseTransactions(url: string | undefined): Promise<number | undefined> {
  if (!url) return undefined;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()",
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

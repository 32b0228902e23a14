import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createPasswordHasher } from "@parley/api";
import { createParleyClient, type ParleyClient } from "@parley/client";
import { createDb } from "@parley/db";
import { fetchTrusting } from "@parley/testing";
import { startCluster, type Cluster } from "../../tests/replicas/cluster";
import { percentile } from "../lib/load";
import { figures, type Figure, type TargetCheck } from "../lib/report";
import { insertConversationWithMessages, insertUsers } from "../lib/seed";
import { fmtMs } from "./context";

/**
 * The design document's §7.1 bar: many people using Parley at once at a human pace, on the
 * production shape (three replicas behind nginx with TLS, one Postgres, one Redis, all real
 * processes on this machine), while one replica is restarted as a rolling deploy would.
 *
 * Each user signs in once (the ramp), then every 5–15 s opens the app (auth.me), lists their
 * conversations, reads the newest page of one, sends a message in it and reads the streamed
 * reply to its end. A reply is lost when it does not end `complete` with every word the model
 * sent, whatever replica served it or went away meanwhile.
 */
export interface ThousandUsersOptions {
  users: number;
  /** The measured window, after every user has signed in. */
  seconds: number;
}

/** Users per source address: under the sign-in limit of one IP (50 per 15 minutes). */
const USERS_PER_ADDRESS = 20;
const HISTORY_MESSAGES = 40;
const REPLY_WORDS = 30;
/** The model fixture's pace for these replies: a first token after 300 ms, then a word every
 * 30 ms, about 1.2 s a reply, as a fast hosted model streams. */
const REPLY_DIRECTIVE = `[[fixture words=${REPLY_WORDS} ttft=300 delay=30]]`;

type Step = "auth.me" | "chat.conversations.list" | "chat.messages.list" | "chat.send" | "reply";

interface Tally {
  latencies: Map<Step, number[]>;
  failures: Map<Step, Map<string, number>>;
  replies: { complete: number; lost: number; lostKinds: Map<string, number> };
}

function newTally(): Tally {
  return {
    latencies: new Map(),
    failures: new Map(),
    replies: { complete: 0, lost: 0, lostKinds: new Map() },
  };
}

function count(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Why a call failed, short enough to tally: an HTTP status or the error's first words. */
function failureKind(error: unknown): string {
  const data = (error as { data?: { httpStatus?: number; code?: string } }).data;
  if (data?.httpStatus) return `HTTP ${data.httpStatus}${data.code ? ` ${data.code}` : ""}`;
  return (error as Error).message?.slice(0, 60) ?? String(error);
}

/** Times one call into the tally; failures are counted, never thrown. */
async function timed<T>(
  tally: Tally | null,
  step: Step,
  call: () => Promise<T>,
): Promise<T | null> {
  const started = performance.now();
  try {
    const result = await call();
    if (tally) {
      const list = tally.latencies.get(step) ?? [];
      list.push(performance.now() - started);
      tally.latencies.set(step, list);
    }
    return result;
  } catch (error) {
    if (tally) {
      const kinds = tally.failures.get(step) ?? new Map<string, number>();
      count(kinds, failureKind(error));
      tally.failures.set(step, kinds);
    }
    return null;
  }
}

/** Follows a reply over SSE to its final event: its status and text. */
function readReply(
  client: ParleyClient,
  messageId: string,
): Promise<{ status: string; text: string }> {
  return new Promise((resolve) => {
    let text = "";
    const timeout = setTimeout(() => finish(`no end within 60 s`), 60_000);
    const finish = (status: string) => {
      clearTimeout(timeout);
      subscription.unsubscribe();
      resolve({ status, text });
    };
    const subscription = client.chat.stream.subscribe(
      { messageId },
      {
        onData(event: unknown) {
          const { data } = event as { data: { delta?: string; status?: string } };
          if (data.delta) text += data.delta;
          if (data.status) finish(data.status);
        },
        onError: (error) => finish(`client error: ${error.message}`),
      },
    );
  });
}

interface VirtualUser {
  client: ParleyClient;
  conversationId: string;
}

/** One user's visits until `until`: each a full open-list-read-send-read cycle. */
async function visit(user: VirtualUser, tally: { current: Tally | null }, until: number) {
  const { client, conversationId } = user;
  await sleep(Math.random() * 10_000);
  while (Date.now() < until) {
    const t = tally.current;
    await timed(t, "auth.me", () => client.auth.me.query());
    await timed(t, "chat.conversations.list", () =>
      client.chat.conversations.list.query({ limit: 50 }),
    );
    await timed(t, "chat.messages.list", () =>
      client.chat.messages.list.query({ conversationId, limit: 50 }),
    );
    const sent = await timed(t, "chat.send", () =>
      client.chat.send.mutate({
        conversationId,
        clientMessageId: randomUUID(),
        content: `A question. ${REPLY_DIRECTIVE}`,
      }),
    );
    if (sent) {
      const started = performance.now();
      const reply = await readReply(client, sent.assistantMessage.id);
      const words = reply.text.trim().split(/\s+/).filter(Boolean).length;
      if (t) {
        if (reply.status === "complete" && words === REPLY_WORDS) {
          t.replies.complete++;
          const list = t.latencies.get("reply") ?? [];
          list.push(performance.now() - started);
          t.latencies.set("reply", list);
        } else {
          t.replies.lost++;
          count(t.replies.lostKinds, `${reply.status}, ${words} of ${REPLY_WORDS} words`);
        }
      }
    }
    await sleep(5_000 + Math.random() * 10_000);
  }
}

/** Seeds the users straight into the database (one argon2 hash for all of them) with a
 * conversation of history each, then signs each in through nginx, users arriving over
 * `rampMs`. */
async function arrive(cluster: Cluster, users: number, rampMs: number): Promise<VirtualUser[]> {
  const db = await createDb(cluster.postgres.url, { poolSize: 4 });
  const password = "bench-password-1000";
  let seeded;
  try {
    seeded = await insertUsers(
      db.sql,
      "crowd",
      users,
      password,
      await createPasswordHasher().hash(password),
    );
    for (const user of seeded)
      await insertConversationWithMessages(db.sql, user.id, "History", HISTORY_MESSAGES);
  } finally {
    await db.close();
  }
  const base = cluster.nginx.url.replace("localhost", "127.0.0.1");
  const fetches = new Map<number, typeof fetch>();
  return Promise.all(
    seeded.map(async (user, i) => {
      const address = 2 + Math.floor(i / USERS_PER_ADDRESS);
      if (!fetches.has(address))
        fetches.set(
          address,
          fetchTrusting(cluster.certs.ca, { localAddress: `127.0.0.${address}` }),
        );
      const fetch = fetches.get(address)!;
      await sleep(Math.random() * rampMs);
      const anonymous = createParleyClient({ url: base, fetch });
      const signedIn = await anonymous.auth.login.mutate({ login: user.username, password });
      const client = createParleyClient({ url: base, fetch, token: signedIn.accessToken });
      const list = await client.chat.conversations.list.query({ limit: 1 });
      return { client, conversationId: list.items[0]!.id };
    }),
  );
}

/** A pino line, or null for anything else (the kept output may begin mid-line). */
function logEntry(
  line: string,
): { level?: number; msg?: string; err?: { message?: string } } | null {
  try {
    return line.startsWith("{") ? (JSON.parse(line) as { level?: number }) : null;
  } catch {
    return null;
  }
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

export async function measureThousandUsers(
  out: { sections: string[]; checks: TargetCheck[] },
  options: ThousandUsersOptions,
): Promise<void> {
  const cluster = await startCluster({
    replicas: 3,
    env: {
      // A send every 5–15 s is at most 12 a minute per user.
      CHAT_SENDS_PER_MINUTE: "30",
      // The production lease, so a restart hands replies over as it would in production.
      GENERATION_LEASE_MS: "15000",
      GENERATION_SWEEP_INTERVAL_MS: "2000",
    },
  });
  try {
    const rampStarted = Date.now();
    const users = await arrive(cluster, options.users, 60_000);
    const rampSeconds = (Date.now() - rampStarted) / 1000;

    const tally: { current: Tally | null } = { current: null };
    const windowMs = options.seconds * 1000;
    // Everyone starts visiting; the first 15 s (users finding their pace) are not counted.
    const until = Date.now() + 15_000 + windowMs;
    const visits = users.map((user) => visit(user, tally, until));
    await sleep(15_000);
    const measured = newTally();
    tally.current = measured;
    const cpuBefore = cpuSeconds();
    const windowStarted = Date.now();

    // A rolling restart of one replica, a third of the way in: SIGTERM, then back.
    const restart = (async () => {
      await sleep(windowMs / 3);
      const replica = cluster.replicas[1]!;
      const stopping = performance.now();
      // The grace a Kubernetes rolling update gives (terminationGracePeriodSeconds in
      // deploy/k8s): the replica drains on its own clock, as in production.
      await replica.process?.stop(30_000);
      replica.process = null;
      const downMs = performance.now() - stopping;
      await cluster.startReplica(replica);
      return { downMs, backAfterMs: performance.now() - stopping };
    })();

    await sleep(Math.max(0, until - Date.now()));
    tally.current = null;
    const windowSeconds = (Date.now() - windowStarted) / 1000;
    const loadCpu = (cpuSeconds() - cpuBefore) / windowSeconds;
    const restarted = await restart;
    // Visits in flight finish (their figures are no longer counted).
    await Promise.all(visits);

    // What the servers logged as errors (pino level 50+), so a failure in the report has its
    // cause beside it.
    const serverErrors = new Map<string, number>();
    for (const replica of cluster.replicas)
      for (const line of replica.process?.output().split("\n") ?? []) {
        const entry = logEntry(line);
        if (entry && (entry.level ?? 0) >= 50)
          count(
            serverErrors,
            `${entry.msg ?? ""} ${entry.err?.message ?? ""}`.trim().slice(0, 160),
          );
      }

    report(out, measured, {
      serverErrors,
      users: options.users,
      windowSeconds,
      rampSeconds,
      loadCpu,
      restarted,
    });
  } finally {
    await cluster.close();
  }
}

function report(
  out: { sections: string[]; checks: TargetCheck[] },
  tally: Tally,
  run: {
    users: number;
    windowSeconds: number;
    rampSeconds: number;
    loadCpu: number;
    restarted: { downMs: number; backAfterMs: number };
    serverErrors: Map<string, number>;
  },
) {
  const steps: Step[] = ["auth.me", "chat.conversations.list", "chat.messages.list", "chat.send"];
  const rows: Figure[] = [];
  let calls = 0;
  let failed = 0;
  let worstP99 = 0;
  for (const step of steps) {
    const ok = [...(tally.latencies.get(step) ?? [])].sort((a, b) => a - b);
    const failures = [...(tally.failures.get(step) ?? new Map<string, number>()).entries()];
    const failedHere = failures.reduce((sum, [, n]) => sum + n, 0);
    calls += ok.length + failedHere;
    failed += failedHere;
    const p99 = percentile(ok, 99);
    worstP99 = Math.max(worstP99, p99);
    rows.push({
      name: `${step}: p50 / p99 (${ok.length} ok${failedHere ? `, ${failures.map(([k, n]) => `${n} × ${k}`).join(", ")}` : ""})`,
      value: `${fmtMs(percentile(ok, 50))} / ${fmtMs(p99)}`,
      target: "p99 < 200 ms",
      met: p99 < 200,
    });
  }
  const replies = [...(tally.latencies.get("reply") ?? [])].sort((a, b) => a - b);
  calls += tally.replies.complete + tally.replies.lost;
  failed += tally.replies.lost;
  const success = calls ? (calls - failed) / calls : 0;
  rows.push(
    {
      name: `streamed reply of ${REPLY_WORDS} words, send answered → final event: p50 / p99 (the model takes ~1.2 s)`,
      value: `${fmtMs(percentile(replies, 50))} / ${fmtMs(percentile(replies, 99))}`,
    },
    {
      name: "replies lost (not complete, or missing words)",
      value: `${tally.replies.lost}${tally.replies.lost ? ` (${[...tally.replies.lostKinds].map(([k, n]) => `${n} × ${k}`).join("; ")})` : ""} of ${tally.replies.complete + tally.replies.lost}`,
      target: "0",
      met: tally.replies.lost === 0,
    },
    {
      name: "calls that succeeded (every procedure call and every reply)",
      value: `${(success * 100).toFixed(2)} % of ${calls}`,
      target: "≥ 99.9 %",
      met: success >= 0.999,
    },
    {
      name: "replica-b restarted mid-run: SIGTERM until exited / until ready again",
      value: `${(run.restarted.downMs / 1000).toFixed(1)} s / ${(run.restarted.backAfterMs / 1000).toFixed(1)} s`,
    },
    {
      name: "sign-in ramp (every user signs in once, not measured)",
      value: `${run.rampSeconds.toFixed(0)} s`,
    },
    {
      name: "the load generator's own CPU (one process, on the same 2 cores)",
      value: `${run.loadCpu.toFixed(2)} cores`,
    },
  );
  if (run.serverErrors.size)
    rows.push({
      name: "errors the replicas logged (the restarted one: since it came back)",
      value: [...run.serverErrors].map(([message, n]) => `${n} × ${message}`).join("; "),
    });
  out.sections.push(
    figures(
      `${run.users} users at a human pace for ${run.windowSeconds.toFixed(0)} s: three replicas behind nginx (TLS), one Postgres, one Redis, one replica restarted`,
      rows,
    ),
    "",
  );
  out.checks.push(
    {
      target: `${run.users} users: p99 of every procedure < 200 ms`,
      figure: `worst ${fmtMs(worstP99)}`,
      met: worstP99 < 200,
    },
    {
      target: `${run.users} users: ≥ 99.9 % of calls succeed`,
      figure: `${(success * 100).toFixed(2)} %`,
      met: success >= 0.999,
    },
    {
      target: `${run.users} users: no reply lost across a replica restart`,
      figure: `${tally.replies.lost} lost of ${tally.replies.complete + tally.replies.lost}`,
      met: tally.replies.lost === 0,
    },
  );
}

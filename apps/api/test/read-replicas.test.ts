// History reads on a real streaming replica: a private primary, a hot standby made from it
// with `pg_basebackup -R`, a private Redis, and two API servers sharing them, all on loopback.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createReadReplicas, createMemoryWritePositions } from "@parley/api";
import { createParleyClient, signUp, type ParleyClient } from "@parley/client";
import { createDb } from "@parley/db";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import {
  eventually,
  missingServerBinaries,
  startPrivatePostgres,
  startPrivateRedis,
  type PrivateService,
} from "@parley/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env";
import { lastReplyComplete } from "./chat-helpers";
import { startServer, type RunningServer } from "../src/server";

const skip = missingServerBinaries();

async function sql<Row = Record<string, unknown>>(url: string, text: string, params?: unknown[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

describe.skipIf(skip)("history reads on a streaming replica", () => {
  let primary: PrivateService;
  let standby: PrivateService;
  let redis: PrivateService;
  let fixture: ModelFixture;
  let dataDir: string;
  let primaryUrl: string;
  let replicaUrl: string;
  const servers: RunningServer[] = [];
  let a: string;
  let b: string;

  beforeAll(async () => {
    primary = await startPrivatePostgres();
    await sql(primary.url, "CREATE DATABASE parley");
    standby = await startPrivatePostgres({ standbyOf: primary });
    redis = await startPrivateRedis();
    fixture = await startModelFixture();
    dataDir = await mkdtemp(path.join(tmpdir(), "parley-read-replicas-"));
    primaryUrl = primary.url.replace(/\/postgres$/, "/parley");
    replicaUrl = standby.url.replace(/\/postgres$/, "/parley");
    const vars = {
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      WEB_DIST: path.join(dataDir, "none"),
      DATABASE_URL: primaryUrl,
      DATABASE_REPLICA_URL: replicaUrl,
      // Generous: these tests pause replay on purpose and must not lose the replica to lag.
      DATABASE_REPLICA_MAX_LAG_MS: "600000",
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `test:${randomBytes(4).toString("hex")}:`,
      JWT_SECRET: randomBytes(32).toString("hex"),
      OPENAI_BASE_URL: fixture.baseUrl,
      OPENAI_API_KEY: "fixture-key",
      AI_MODELS: "fixture-small",
      CHAT_SENDS_PER_MINUTE: "1000",
    };
    for (let i = 0; i < 2; i++) servers.push(await startServer(loadEnv(vars)));
    [a, b] = servers.map((s) => `http://127.0.0.1:${s.port}`) as [string, string];
  });

  afterAll(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    await fixture?.close();
    await redis?.destroy();
    await standby?.destroy();
    await primary?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Until the standby has replayed everything the primary has written so far. */
  async function caughtUp() {
    const [head] = await sql<{ lsn: string }>(
      primaryUrl,
      "SELECT pg_current_wal_insert_lsn()::text AS lsn",
    );
    await eventually(async () => {
      const [row] = await sql<{ done: boolean }>(
        replicaUrl,
        "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done",
        [head!.lsn],
      );
      return row?.done ? true : undefined;
    });
  }

  const replicaReads = (server: RunningServer) =>
    server.deps.reads!.status().find((s) => s.name === "replica1")!.reads;

  /** A conversation written straight into the primary, bypassing the API (no write position). */
  async function writeBehindTheApi(userId: string, title: string) {
    await sql(
      primaryUrl,
      "INSERT INTO conversations (id, user_id, title, updated_at) VALUES ($1, $2, $3, now())",
      [randomUUID(), userId, title],
    );
  }

  async function titles(client: ParleyClient) {
    const page = await client.chat.conversations.list.query({ limit: 50 });
    return page.items.map((c) => c.title);
  }

  it("conversation lists and message pages are read from the replica", async () => {
    const alice = await signUp(a);
    await alice.client.chat.conversations.create.mutate({ title: "first" });
    await caughtUp();
    const onB = createParleyClient({ url: b, token: alice.accessToken });
    const before = replicaReads(servers[1]!);
    await sql(replicaUrl, "SELECT pg_wal_replay_pause()");
    try {
      await writeBehindTheApi(alice.user.id, "written behind the API");
      // The standby is paused, so a list from it cannot have the new row: it is the replica's.
      expect(await titles(onB)).toEqual(["first"]);
      expect(replicaReads(servers[1]!)).toBeGreaterThan(before);
      // And the primary does have it.
      const [row] = await sql<{ n: number }>(
        primaryUrl,
        "SELECT count(*)::int AS n FROM conversations WHERE user_id = $1",
        [alice.user.id],
      );
      expect(row?.n).toBe(2);
    } finally {
      await sql(replicaUrl, "SELECT pg_wal_replay_resume()");
    }
  });

  it("with replay paused, a user sees their own new message and rename at once, on another server", async () => {
    const bob = await signUp(a);
    const { conversation } = await bob.client.chat.send.mutate({
      content: "hello before the pause",
      clientMessageId: randomUUID(),
    });
    await lastReplyComplete(bob.client, conversation.id);
    await caughtUp();
    const carol = await signUp(a);
    await carol.client.chat.conversations.create.mutate({ title: "carol's" });
    await caughtUp();

    await sql(replicaUrl, "SELECT pg_wal_replay_pause()");
    try {
      // Bob writes on server A; server B knows his write position from Redis.
      const sent = await bob.client.chat.send.mutate({
        conversationId: conversation.id,
        content: "my new message",
        clientMessageId: randomUUID(),
      });
      await bob.client.chat.conversations.update.mutate({ id: conversation.id, title: "renamed" });
      const bobOnB = createParleyClient({ url: b, token: bob.accessToken });
      const page = await bobOnB.chat.messages.list.query({ conversationId: conversation.id });
      expect(page.items.map((m) => m.id)).toContain(sent.userMessage.id);
      expect(page.items.find((m) => m.id === sent.userMessage.id)?.content).toBe("my new message");
      expect(await titles(bobOnB)).toEqual(["renamed"]);

      // Carol has not written since: she is still served by the (paused) replica.
      await writeBehindTheApi(carol.user.id, "carol behind the API");
      const carolOnB = createParleyClient({ url: b, token: carol.accessToken });
      expect(await titles(carolOnB)).toEqual(["carol's"]);
    } finally {
      await sql(replicaUrl, "SELECT pg_wal_replay_resume()");
    }
  });

  it("a replica lagging past the bound is skipped: the primary serves", async () => {
    const primaryDb = await createDb(primaryUrl, { poolSize: 2 });
    const replicaDb = await createDb(replicaUrl, { poolSize: 2 });
    const reads = createReadReplicas({
      primary: primaryDb,
      replicas: [{ name: "replica1", db: replicaDb }],
      positions: createMemoryWritePositions(),
      maxLagMs: 300,
      pollIntervalMs: 50,
    });
    const where = () =>
      reads.withReader("someone", async (db) => {
        const [row] = await db.withConnection((s) =>
          s.query<{ standby: boolean }>("SELECT pg_is_in_recovery() AS standby"),
        );
        return row!.standby ? "replica" : "primary";
      });
    try {
      await caughtUp();
      reads.start();
      await eventually(async () => ((await where()) === "replica" ? true : undefined));
      await sql(replicaUrl, "SELECT pg_wal_replay_pause()");
      // Any write moves the primary on; the paused replica falls behind it.
      await sql(primaryUrl, "CREATE TABLE IF NOT EXISTS lag_probe (n int)");
      await sql(primaryUrl, "INSERT INTO lag_probe VALUES (1)");
      await eventually(async () => (reads.status()[0]!.usable ? undefined : true));
      expect(await where()).toBe("primary");
      await sql(replicaUrl, "SELECT pg_wal_replay_resume()");
      await eventually(async () => ((await where()) === "replica" ? true : undefined));
    } finally {
      await sql(replicaUrl, "SELECT pg_wal_replay_resume()").catch(() => undefined);
      await reads.close();
      await primaryDb.close();
    }
  });

  it("with the replica stopped everything keeps working, and it is used again once back", async () => {
    const dave = await signUp(b);
    const { conversation } = await dave.client.chat.send.mutate({
      content: "still here",
      clientMessageId: randomUUID(),
    });
    await standby.stop();
    try {
      // The first read after the stop may still pick the replica: it falls back at once.
      const page = await dave.client.chat.messages.list.query({ conversationId: conversation.id });
      expect(page.items[0]?.content).toBe("still here");
      const list = await dave.client.chat.conversations.list.query({ limit: 10 });
      expect(list.items.map((c) => c.id)).toEqual([conversation.id]);
      const exported = await dave.client.chat.conversations.export.query({
        id: conversation.id,
        format: "markdown",
      });
      expect(JSON.stringify(exported)).toContain("still here");
      await servers[1]!.deps.reads!.refresh();
      expect(servers[1]!.deps.reads!.status()[0]).toMatchObject({ up: false, usable: false });
      const ready = await fetch(`${b}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ database: "ok", replicas: "degraded" });
    } finally {
      await standby.start();
    }
    const before = replicaReads(servers[1]!);
    // An export: the history cache already holds the list, and would answer it itself.
    await eventually(async () => {
      await dave.client.chat.conversations.export.query({ id: conversation.id, format: "json" });
      return replicaReads(servers[1]!) > before ? true : undefined;
    });
  });
});

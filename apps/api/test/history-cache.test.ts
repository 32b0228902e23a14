import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createParleyClient, signUp, type ParleyClient, type SignedIn } from "@parley/client";
import { chat } from "@parley/db";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import { createScratchPostgres, missing, postgresUrl, redisUrl } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env";
import { startServer, type RunningServer } from "../src/server";
import { eventually, finishedReply, codeOf, newClientId } from "./chat-helpers";

/**
 * Two API servers on one Postgres database and one Redis, as two replicas behind a load
 * balancer, each with its history cache (memory in front of Redis). A write on one must be
 * seen by the very next read on the other, and the cache must actually serve reads.
 */
describe.skipIf(missing("postgres") || missing("redis"))(
  "history cache across two API servers (Postgres + Redis)",
  () => {
    let fixture: ModelFixture;
    let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
    let dataDir: string;
    let vars: Record<string, string>;
    const servers: RunningServer[] = [];
    let serverA: RunningServer;
    let serverB: RunningServer;
    let alice: SignedIn;
    let aliceOnB: ParleyClient;

    beforeAll(async () => {
      fixture = await startModelFixture();
      scratch = await createScratchPostgres(postgresUrl()!);
      dataDir = await mkdtemp(path.join(tmpdir(), "parley-history-cache-"));
      vars = {
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        WEB_DIST: path.join(dataDir, "none"),
        LOG_LEVEL: "silent",
        DATABASE_URL: scratch.url,
        REDIS_URL: redisUrl()!,
        REDIS_KEY_PREFIX: `test:${randomBytes(4).toString("hex")}:`,
        JWT_SECRET: randomBytes(32).toString("hex"),
        OPENAI_BASE_URL: fixture.baseUrl,
        OPENAI_API_KEY: "fixture-key",
        AI_MODELS: "fixture-small",
        CHAT_SENDS_PER_MINUTE: "1000",
      };
      for (let i = 0; i < 2; i++) servers.push(await startServer(loadEnv(vars)));
      [serverA, serverB] = servers as [RunningServer, RunningServer];
      alice = await signUp(url(serverA), { username: "alice_cache" });
      aliceOnB = createParleyClient({ url: url(serverB), token: alice.accessToken });
    });

    afterAll(async () => {
      const redis = serverA?.deps.redis;
      if (redis) {
        const keys = await redis.keys(`${vars.REDIS_KEY_PREFIX}*`).catch(() => []);
        if (keys.length) await redis.del(...keys).catch(() => {});
      }
      for (const server of servers) await server.close().catch(() => undefined);
      await fixture?.close();
      await scratch?.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    const url = (server: RunningServer) => `http://127.0.0.1:${server.port}`;
    const statsOf = (server: RunningServer) => server.deps.historyCache!.stats();

    /** A conversation of Alice's with one finished exchange, made on A. */
    async function conversationWithReply(text = "hello") {
      const sent = await alice.client.chat.send.mutate({
        content: `${text} [[fixture words=3]]`,
        clientMessageId: newClientId(),
      });
      await finishedReply(alice.client, sent.conversation.id, sent.assistantMessage.id);
      // The title is written after a first reply and moves the cache's generation: wait for
      // it, so a page read below is not dropped by it.
      await eventually(async () => {
        const { title } = await alice.client.chat.conversations.get.query({
          id: sent.conversation.id,
        });
        return title !== chat.DEFAULT_TITLE || undefined;
      });
      return sent;
    }

    /** Changes a title in the database behind both caches' backs. */
    async function retitleInDatabase(conversationId: string, title: string) {
      await serverA.deps.db.sql.query("UPDATE conversations SET title = $1 WHERE id = $2::uuid", [
        title,
        conversationId,
      ]);
    }

    const titlesOnB = async () =>
      (await aliceOnB.chat.conversations.list.query({})).items.map((c) => c.title);

    it("serves repeated reads from the cache, not the database", async () => {
      const sent = await conversationWithReply();
      await alice.client.chat.conversations.update.mutate({
        id: sent.conversation.id,
        title: "Cached title",
      });
      expect(await titlesOnB()).toContain("Cached title");
      const before = statsOf(serverB);
      await retitleInDatabase(sent.conversation.id, "Changed behind the cache");
      // B answers from memory: the database's new title is not read.
      expect(await titlesOnB()).toContain("Cached title");
      expect(statsOf(serverB).localHits).toBe(before.localHits + 1);

      const page = await aliceOnB.chat.messages.list.query({
        conversationId: sent.conversation.id,
      });
      const hits = statsOf(serverB).localHits;
      expect(
        await aliceOnB.chat.messages.list.query({ conversationId: sent.conversation.id }),
      ).toEqual(page);
      expect(statsOf(serverB).localHits).toBe(hits + 1);
    });

    it("A's page is served to B from Redis", async () => {
      const sent = await conversationWithReply();
      const input = { conversationId: sent.conversation.id, limit: 7 };
      await alice.client.chat.messages.list.query(input);
      const shared = statsOf(serverB).sharedHits;
      const page = await aliceOnB.chat.messages.list.query(input);
      expect(statsOf(serverB).sharedHits).toBe(shared + 1);
      expect(page.items.map((m) => m.role)).toEqual(["user", "assistant"]);
      expect(page.items[0]!.createdAt).toBeInstanceOf(Date);
    });

    it("a rename on A is seen by the next list on B", async () => {
      const sent = await conversationWithReply();
      expect(await titlesOnB()).not.toContain("Renamed on A");
      await alice.client.chat.conversations.update.mutate({
        id: sent.conversation.id,
        title: "Renamed on A",
      });
      expect(await titlesOnB()).toContain("Renamed on A");
    });

    it("a delete on A is seen by the next reads on B", async () => {
      const sent = await conversationWithReply();
      const id = sent.conversation.id;
      expect((await aliceOnB.chat.conversations.list.query({})).items.map((c) => c.id)).toContain(
        id,
      );
      await aliceOnB.chat.messages.list.query({ conversationId: id });
      await alice.client.chat.conversations.delete.mutate({ id });
      expect(
        (await aliceOnB.chat.conversations.list.query({})).items.map((c) => c.id),
      ).not.toContain(id);
      expect(await codeOf(aliceOnB.chat.messages.list.query({ conversationId: id }))).toBe(
        "NOT_FOUND",
      );
    });

    it("a new message on A is seen by the next page on B, with its finished reply", async () => {
      const sent = await conversationWithReply();
      const conversationId = sent.conversation.id;
      expect((await aliceOnB.chat.messages.list.query({ conversationId })).items).toHaveLength(2);
      const next = await alice.client.chat.send.mutate({
        conversationId,
        content: "again [[fixture words=4]]",
        clientMessageId: newClientId(),
      });
      // The placeholder, then the finished reply, each in B's next read.
      const during = await aliceOnB.chat.messages.list.query({ conversationId });
      expect(during.items.map((m) => m.id)).toContain(next.userMessage.id);
      const reply = await finishedReply(alice.client, conversationId, next.assistantMessage.id);
      const after = await aliceOnB.chat.messages.list.query({ conversationId });
      expect(after.items.at(-1)).toMatchObject({ id: reply.id, status: "complete" });
      expect(after.items.at(-1)!.content).toBe(reply.content);
    });

    it("a branch switch on A is seen by the next page on B", async () => {
      const sent = await conversationWithReply();
      const conversationId = sent.conversation.id;
      const first = sent.assistantMessage.id;
      const { assistantMessage: second } = await alice.client.chat.regenerate.mutate({
        messageId: first,
      });
      await finishedReply(alice.client, conversationId, second.id);
      const activeOnB = async () =>
        (await aliceOnB.chat.messages.list.query({ conversationId })).items.at(-1)!.id;
      expect(await activeOnB()).toBe(second.id);
      await alice.client.chat.messages.switchBranch.mutate({ messageId: first });
      expect(await activeOnB()).toBe(first);
      await alice.client.chat.messages.switchBranch.mutate({ messageId: second.id });
      expect(await activeOnB()).toBe(second.id);
    });

    it("another user never gets Alice's cached pages", async () => {
      const sent = await conversationWithReply("private");
      const conversationId = sent.conversation.id;
      // Alice's list and page are cached on both servers.
      for (const client of [alice.client, aliceOnB]) {
        await client.chat.conversations.list.query({});
        await client.chat.messages.list.query({ conversationId });
      }
      const bob = await signUp(url(serverA), { username: "bob_cache" });
      const bobOnB = createParleyClient({ url: url(serverB), token: bob.accessToken });
      for (const client of [bob.client, bobOnB]) {
        expect((await client.chat.conversations.list.query({})).items).toEqual([]);
        expect(await codeOf(client.chat.messages.list.query({ conversationId }))).toBe("NOT_FOUND");
        // Twice: a second read could only differ if the first were cached under Alice's key.
        expect(await codeOf(client.chat.messages.list.query({ conversationId }))).toBe("NOT_FOUND");
      }
    });

    it("HISTORY_CACHE=0 reads the database every time", async () => {
      const uncached = await startServer(loadEnv({ ...vars, HISTORY_CACHE: "0" }));
      servers.push(uncached);
      const aliceOnC = createParleyClient({ url: url(uncached), token: alice.accessToken });
      const sent = await conversationWithReply();
      const titles = async () =>
        (await aliceOnC.chat.conversations.list.query({})).items.map((c) => c.title);
      await titles();
      await retitleInDatabase(sent.conversation.id, "Seen without a cache");
      expect(await titles()).toContain("Seen without a cache");
      expect(uncached.deps.historyCache!.stats()).toMatchObject({ localHits: 0, sharedHits: 0 });
    });
  },
);

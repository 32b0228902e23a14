import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRedis, waitForRedis } from "@parley/api";
import { signUp, type SignedIn } from "@parley/client";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import {
  createScratchPostgres,
  missing,
  postgresUrl,
  redisUrl,
  startNodeProcess,
  type NodeProcess,
} from "@parley/testing";
import OpenAI from "openai";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const QUOTA = 100;

/**
 * Two real API processes on one Postgres and one Redis, as two replicas behind a load
 * balancer: a tool whose calls land on either must meet one daily quota, not one per replica.
 */
describe.skipIf(missing("postgres") || missing("redis"))(
  "/v1 quota across two API processes (Postgres + Redis)",
  () => {
    let fixture: ModelFixture;
    let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
    let dataDir: string;
    const keyPrefix = `test:v1-replicas:${randomBytes(6).toString("hex")}:`;
    let replicaA: NodeProcess;
    let replicaB: NodeProcess;
    let admin: SignedIn;

    beforeAll(async () => {
      fixture = await startModelFixture();
      scratch = await createScratchPostgres(postgresUrl()!);
      dataDir = await mkdtemp(path.join(tmpdir(), "parley-v1-replicas-"));
      const env = {
        NODE_ENV: "test",
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        WEB_DIST: path.join(dataDir, "no-web"),
        DATABASE_URL: scratch.url,
        REDIS_URL: redisUrl()!,
        REDIS_KEY_PREFIX: keyPrefix,
        JWT_SECRET: randomBytes(32).toString("hex"),
        OPENAI_BASE_URL: fixture.baseUrl,
        OPENAI_API_KEY: "fixture-key",
        AI_MODELS: "fixture-small",
        CHAT_SENDS_PER_MINUTE: "1000",
        QUOTA_TOKENS_PER_DAY: String(QUOTA),
      };
      // One after the other: the second finds the migrations applied.
      replicaA = await startNodeProcess("apps/api/src/main.ts", { env });
      replicaB = await startNodeProcess("apps/api/src/main.ts", { env });
      // The first account is the admin.
      admin = await signUp(replicaA.url, { username: "v1_replicas_admin" });
    }, 180_000);

    afterAll(async () => {
      await replicaA?.stop();
      await replicaB?.stop();
      await fixture?.close();
      await scratch?.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      const redis = createRedis(redisUrl()!);
      await waitForRedis(redis);
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });

    it("the daily quota is the sum of the calls on both replicas", async () => {
      const user = await signUp(replicaA.url, { username: "v1_replicas" });
      const { secret } = await user.client.auth.apiKeys.create.mutate({ name: "tool" });
      const on = (replica: NodeProcess) =>
        new OpenAI({ baseURL: `${replica.url}/v1`, apiKey: secret, maxRetries: 0 });
      const ask = async (replica: NodeProcess) => {
        const reply = await on(replica).chat.completions.create({
          model: "fixture-small",
          messages: [{ role: "user", content: "[[fixture words=40]]" }],
        });
        return reply.usage!.total_tokens;
      };

      const onA = (await ask(replicaA)) + (await ask(replicaA));
      const onB = await ask(replicaB);
      // Each replica alone is under the quota; together they are over it.
      expect(onA).toBeLessThan(QUOTA);
      expect(onB).toBeLessThan(QUOTA);
      expect(onA + onB).toBeGreaterThanOrEqual(QUOTA);

      for (const replica of [replicaA, replicaB]) {
        let refused: unknown = null;
        await ask(replica).catch((error: unknown) => (refused = error));
        expect(refused, replica.url).toBeInstanceOf(OpenAI.RateLimitError);
        expect((refused as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
          type: "insufficient_quota",
        });
      }
      const usage = await user.client.user.usage.query();
      expect(usage.perSource.api).toBe(onA + onB);
      expect(usage.quota).toMatchObject({ limit: QUOTA, used: onA + onB, remaining: 0 });
    });

    it("an admin's quota override set on one replica applies to the next call on the other, without a Postgres read per call", async () => {
      const user = await signUp(replicaA.url, { username: "v1_override" });
      const { secret } = await user.client.auth.apiKeys.create.mutate({ name: "tool" });
      const ask = (replica: NodeProcess) =>
        new OpenAI({ baseURL: `${replica.url}/v1`, apiKey: secret, maxRetries: 0 }).chat.completions
          .create({
            model: "fixture-small",
            messages: [{ role: "user", content: "[[fixture words=40]]" }],
          })
          .then(
            () => "answered",
            (error: unknown) =>
              error instanceof OpenAI.RateLimitError
                ? (error.error as { type?: string }).type
                : Promise.reject(error),
          );
      // Over the default quota after two calls on B; an override of 0 (unlimited) lifts it.
      await admin.client.user.admin.setQuota.mutate({ userId: user.user.id, tokensPerDay: 0 });
      for (let i = 0; i < 4; i++) expect(await ask(replicaB)).toBe("answered");

      // The override is read with the key (cached with it), not before each call: a row
      // changed behind Parley's back is not seen by the next call...
      const db = new pg.Client({ connectionString: scratch.url });
      await db.connect();
      try {
        await db.query("UPDATE user_quotas SET tokens_per_day = 1 WHERE user_id = $1", [
          user.user.id,
        ]);
      } finally {
        await db.end();
      }
      expect(await ask(replicaB)).toBe("answered");

      // ...while an admin's change, made on A, is seen by B's very next call.
      await admin.client.user.admin.setQuota.mutate({ userId: user.user.id, tokensPerDay: 10 });
      expect(await ask(replicaB)).toBe("insufficient_quota");
      expect(await ask(replicaA)).toBe("insufficient_quota");
      await admin.client.user.admin.setQuota.mutate({ userId: user.user.id, tokensPerDay: 0 });
      expect(await ask(replicaB)).toBe("answered");
      expect(await ask(replicaA)).toBe("answered");
    });
  },
);

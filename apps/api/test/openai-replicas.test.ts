import { signUp, type SignedIn } from "@parley/client";
import { missing, type NodeProcess } from "@parley/testing";
import OpenAI from "openai";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReplicaPair, type ReplicaPair } from "./replica-helpers";

const QUOTA = 100;

/**
 * Two real API processes on one Postgres and one Redis, as two replicas behind a load
 * balancer: a tool whose calls land on either must meet one daily quota, not one per replica.
 */
describe.skipIf(missing("postgres") || missing("redis"))(
  "/v1 quota across two API processes (Postgres + Redis)",
  () => {
    let pair: ReplicaPair;
    let replicaA: NodeProcess;
    let replicaB: NodeProcess;
    let admin: SignedIn;

    beforeAll(async () => {
      pair = await startReplicaPair("v1-replicas", { QUOTA_TOKENS_PER_DAY: String(QUOTA) });
      ({ a: replicaA, b: replicaB } = pair);
      // The first account is the admin.
      admin = await signUp(replicaA.url, { username: "v1_replicas_admin" });
    }, 180_000);

    afterAll(() => pair?.close());

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
      const db = new pg.Client({ connectionString: pair.scratch.url });
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

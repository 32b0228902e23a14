import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRedis, waitForRedis } from "@parley/api";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import {
  createScratchPostgres,
  postgresUrl,
  redisUrl,
  startNodeProcess,
  type NodeProcess,
} from "@parley/testing";

export interface ReplicaPair {
  fixture: ModelFixture;
  scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  /** What both were started with, for starting another replica like them. */
  env: Record<string, string>;
  a: NodeProcess;
  b: NodeProcess;
  /** Stops both, the fixture, drops the database and removes the Redis keys. */
  close(): Promise<void>;
}

/**
 * Two real API processes (`node --import tsx apps/api/src/main.ts`) on one scratch Postgres
 * database and one Redis (keys under a prefix of their own), as two replicas behind a load
 * balancer, calling the model fixture. `env` adds to or overrides their environment.
 */
export async function startReplicaPair(
  name: string,
  env: Record<string, string> = {},
): Promise<ReplicaPair> {
  const keyPrefix = `test:${name}:${randomBytes(6).toString("hex")}:`;
  const started: Partial<Omit<ReplicaPair, "close" | "env">> & { dataDir?: string } = {};
  const close = async () => {
    await started.a?.stop();
    await started.b?.stop();
    await started.fixture?.close();
    await started.scratch?.drop();
    if (started.dataDir) await rm(started.dataDir, { recursive: true, force: true });
    const redis = createRedis(redisUrl()!);
    await waitForRedis(redis);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  };
  try {
    const fixture = (started.fixture = await startModelFixture());
    const scratch = (started.scratch = await createScratchPostgres(postgresUrl()!));
    const dataDir = (started.dataDir = await mkdtemp(path.join(tmpdir(), `parley-${name}-`)));
    const replicaEnv = {
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      WEB_DIST: path.join(dataDir, "no-web"),
      DATABASE_URL: scratch.url,
      REDIS_URL: redisUrl()!,
      REDIS_KEY_PREFIX: keyPrefix,
      // Both replicas must verify each other's access tokens.
      JWT_SECRET: randomBytes(32).toString("hex"),
      OPENAI_BASE_URL: fixture.baseUrl,
      OPENAI_API_KEY: "fixture-key",
      AI_MODELS: "fixture-small",
      CHAT_SENDS_PER_MINUTE: "1000",
      ...env,
    };
    // One after the other: the second finds the migrations applied.
    const a = (started.a = await startNodeProcess("apps/api/src/main.ts", { env: replicaEnv }));
    const b = (started.b = await startNodeProcess("apps/api/src/main.ts", { env: replicaEnv }));
    return { fixture, scratch, env: replicaEnv, a, b, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

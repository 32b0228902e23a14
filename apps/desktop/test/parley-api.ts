import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createScratchPostgres, postgresUrl, redisUrl } from "@parley/testing";
import { loadEnv } from "../../api/src/env";
import { startServer, type RunningServer } from "../../api/src/server";

export interface TestParleyApi {
  server: RunningServer;
  /** http://127.0.0.1:PORT */
  url: string;
  stop(): Promise<void>;
}

/**
 * The real Parley API in this process on a free port: a fresh Postgres database when
 * DATABASE_URL is set (Redis too with REDIS_URL), else PGlite in a temporary folder.
 */
export async function startParleyApi(
  extraEnv: Record<string, string> = {},
): Promise<TestParleyApi> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "parley-desktop-api-"));
  const pgBase = postgresUrl();
  const scratch = pgBase ? await createScratchPostgres(pgBase) : null;
  const redis = redisUrl();
  const env = loadEnv({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    WEB_DIST: path.join(dataDir, "no-web"),
    LOG_LEVEL: "silent",
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    // A key prefix of its own, so parallel runs sharing one Redis never see each other's keys.
    ...(redis
      ? { REDIS_URL: redis, REDIS_KEY_PREFIX: `desktop-test-${randomBytes(6).toString("hex")}:` }
      : {}),
    ...extraEnv,
  });
  const server = await startServer(env);
  return {
    server,
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      await server.close();
      await scratch?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

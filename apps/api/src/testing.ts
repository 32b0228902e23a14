// The one way tests start a real Parley server: apps/api's own tests, the web app's browser
// tests, the desktop app's tests. It runs startServer, as main.ts does, so tests use the
// production wiring (createAppDeps, createApp) with only the environment set for the test.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createScratchPostgres, postgresUrl, redisUrl } from "@parley/testing";
import { loadEnv } from "./env";
import type { Logger } from "./logging";
import { startServer, type RunningServer } from "./server";

export interface TestServer {
  server: RunningServer;
  /** http://127.0.0.1:PORT */
  base: string;
  /** A unique Redis key prefix, so parallel runs never share counters. */
  keyPrefix: string;
  /** The server's DATA_DIR (its own temporary folder). */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A real server on a free port: a fresh Postgres database and the shared Redis when
 * DATABASE_URL / REDIS_URL are set, else PGlite in a temp folder and in-process services.
 * `vars` are environment variables on top (WEB_DIST to serve a built web app, a provider…).
 */
export async function startTestServer(
  vars: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "parley-test-"));
  const baseUrl = postgresUrl();
  const scratch = baseUrl ? await createScratchPostgres(baseUrl) : null;
  const keyPrefix = `test:${randomBytes(6).toString("hex")}:`;
  try {
    const env = loadEnv({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      WEB_DIST: path.join(dataDir, "no-web"),
      LOG_LEVEL: "silent",
      REDIS_KEY_PREFIX: keyPrefix,
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      ...(redisUrl() ? { REDIS_URL: redisUrl()! } : {}),
      ...vars,
    });
    const server = await startServer(env, () => {}, options);
    return {
      server,
      base: `http://127.0.0.1:${server.port}`,
      keyPrefix,
      dataDir,
      async stop() {
        if (server.deps.redis) {
          const keys = await server.deps.redis.keys(`${keyPrefix}*`).catch(() => []);
          if (keys.length) await server.deps.redis.del(...keys).catch(() => {});
        }
        await server.close();
        await scratch?.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

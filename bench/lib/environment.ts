import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, migrate, type Database } from "@parley/db";
import { createScratchPostgres } from "@parley/testing";
import { startApi, startChild, type ApiChild, type Child } from "./processes";

/**
 * Where the API under test keeps its data: a scratch Postgres database cut from
 * DATABASE_URL (dropped afterwards) when it is set, else embedded PGlite in a temp folder.
 * Redis is used when REDIS_URL is set.
 */
export interface BenchDatabase {
  kind: "postgres" | "pglite";
  /** The environment that points the API at it. */
  env: Record<string, string>;
  /** Opens it from the bench process for seeding (PGlite allows one process at a time:
   * close it before the API starts). */
  open(): Promise<Database>;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "parley-bench-"));
  const base = process.env.DATABASE_URL;
  if (base) {
    const scratch = await createScratchPostgres(base);
    return {
      kind: "postgres",
      env: { DATABASE_URL: scratch.url, DATA_DIR: dataDir },
      open: async () => {
        const db = await createDb(scratch.url, { poolSize: 4 });
        await migrate(db);
        return db;
      },
      async drop() {
        await scratch.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  return {
    kind: "pglite",
    env: { DATABASE_URL: "", DATA_DIR: dataDir },
    open: async () => {
      const db = await createDb(path.join(dataDir, "pglite"));
      await migrate(db);
      return db;
    },
    drop: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** The OpenAI-compatible model fixture in its own process, with a set time to first token. */
export function startModelFixture(ttftMs: number): Promise<Child> {
  return startChild("packages/model-fixture/src/main.ts", {
    FIXTURE_TTFT_MS: String(ttftMs),
    FIXTURE_CHUNK_DELAY_MS: "5",
    FIXTURE_WORDS: "20",
  });
}

export const benchModel = "fixture-small";

/** The API configured as in production, against the bench database, Redis and fixture. */
export function startBenchApi(
  database: BenchDatabase,
  fixture: Child,
  extra: Record<string, string> = {},
): Promise<ApiChild> {
  return startApi({
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    JWT_SECRET: randomBytes(48).toString("base64url"),
    // Production refuses an open /metrics.
    METRICS_TOKEN: randomBytes(24).toString("base64url"),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    REDIS_URL: process.env.REDIS_URL ?? "",
    // A shared Redis may hold other runs' keys: keep ours apart.
    REDIS_KEY_PREFIX: `parley-bench-${randomBytes(4).toString("hex")}:`,
    OPENAI_BASE_URL: `${fixture.url}/v1`,
    OPENAI_API_KEY: "fixture",
    AI_MODELS: benchModel,
    AI_DEFAULT_MODEL: benchModel,
    // The login benchmarks give each request its own X-Real-IP, as nginx would for many
    // clients, so they measure sign-in itself rather than the per-IP rate limit.
    TRUST_PROXY: "1",
    ...database.env,
    ...extra,
  });
}

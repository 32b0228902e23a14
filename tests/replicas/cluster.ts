import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import {
  freePort,
  makeCertificates,
  startNginx,
  startNodeProcess,
  startPrivatePostgres,
  startPrivateRedis,
  waitFor,
  type NodeProcess,
  type PrivateNginx,
  type PrivateService,
  type TestCertificates,
} from "@parley/testing";

export const MODEL = "fixture-small";

/** One API process; it keeps its port across restarts so nginx's upstream stays valid. */
export interface Replica {
  name: string;
  port: number;
  url: string;
  process: NodeProcess | null;
}

/**
 * The production shape on loopback, with real processes: N API replicas behind Debian's
 * nginx, sharing one PostgreSQL and one Redis. Postgres and Redis are private to the test
 * (started here, on free ports) so it may stop and start them without disturbing the
 * shared services other tests use.
 */
export interface Cluster {
  postgres: PrivateService;
  redis: PrivateService;
  fixture: ModelFixture;
  replicas: Replica[];
  /** TLS in front, with a certificate made for the test: `nginx.fetch` trusts it. */
  nginx: PrivateNginx;
  certs: TestCertificates;
  /** The replica's env, for tests that need to know what it was started with. */
  env: Record<string, string>;
  startReplica(replica: Replica): Promise<void>;
  /** SIGKILL: no graceful shutdown, like a crashed machine. */
  killReplica(replica: Replica): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(
  options: { replicas?: number; env?: Record<string, string> } = {},
): Promise<Cluster> {
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const [postgres, redis, fixture] = await Promise.all([
      startPrivatePostgres(),
      startPrivateRedis(),
      startModelFixture({ models: [MODEL], defaults: { chunkDelayMs: 5 } }),
    ]);
    cleanups.push(
      () => postgres.destroy(),
      () => redis.destroy(),
      () => fixture.close(),
    );
    const dataDir = mkdtempSync(path.join(tmpdir(), "parley-replicas-"));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));

    const env: Record<string, string> = {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: "parley:",
      // Every replica must verify the tokens the others sign.
      JWT_SECRET: randomBytes(48).toString("base64url"),
      TRUST_PROXY: "1",
      // Production refuses an open /metrics.
      METRICS_TOKEN: randomBytes(24).toString("base64url"),
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DATA_DIR: dataDir,
      OPENAI_BASE_URL: fixture.baseUrl,
      OPENAI_API_KEY: "fixture",
      AI_MODELS: MODEL,
      AI_DEFAULT_MODEL: MODEL,
      // A killed replica's reply is found within seconds instead of the production 30 s.
      GENERATION_LEASE_MS: "3000",
      GENERATION_SWEEP_INTERVAL_MS: "500",
      ...options.env,
    };
    const ports = await Promise.all(
      Array.from({ length: options.replicas ?? 3 }, () => freePort()),
    );
    const replicas: Replica[] = ports.map((port, i) => ({
      name: `replica-${"abc"[i] ?? i}`,
      port,
      url: `http://127.0.0.1:${port}`,
      process: null,
    }));

    const startReplica = async (replica: Replica) => {
      replica.process = await startNodeProcess("apps/api/src/main.ts", {
        env: { ...env, PORT: String(replica.port) },
        timeoutMs: 120_000,
      });
    };
    const killReplica = async (replica: Replica) => {
      await replica.process?.kill();
      replica.process = null;
    };
    cleanups.push(async () => {
      await Promise.all(replicas.map((r) => r.process?.stop()));
    });
    // The first replica applies the migrations; the others then start together.
    await startReplica(replicas[0]!);
    await Promise.all(replicas.slice(1).map(startReplica));

    const certs = makeCertificates();
    cleanups.push(async () => certs.remove());
    const nginx = await startNginx(
      replicas.map((r) => `127.0.0.1:${r.port}`),
      certs,
    );
    cleanups.push(() => nginx.stop());
    await waitFor(
      "nginx to reach the replicas",
      async () => (await nginx.fetch(`${nginx.url}/readyz`)).ok,
    );

    return {
      postgres,
      redis,
      fixture,
      replicas,
      nginx,
      certs,
      env,
      startReplica,
      killReplica,
      close: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** GET /readyz of one server: HTTP status and body. */
export async function readiness(
  url: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

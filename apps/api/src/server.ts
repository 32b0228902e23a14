import type { ServerType } from "@hono/node-server";
import { serve } from "@hono/node-server";
import {
  appRouter,
  createActiveUserCounter,
  createAuditSweeper,
  createAuthDeps,
  createChatRuntime,
  createHistoryCache,
  historyWritten,
  createKeyRing,
  createObjectStorage,
  sweepAbandonedUploads,
  createReadReplicas,
  createOidcClient,
  createRedis,
  createWritePositions,
  createTokenCounter,
  createUsageMeter,
  redisHealth,
  waitForRedis,
  type AppDeps,
  type ReadReplicas,
  type UsageObserver,
} from "@parley/api";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createDb, migrate, pendingMigrations, type Database } from "@parley/db";
import { Hono } from "hono";
import { createApp } from "./app";
import type { Env } from "./env";
import type { Logger } from "./logging";
import { createMetrics, metricsHandler, routerProcedures, type ServerMetrics } from "./metrics";

export interface RunningServer {
  port: number;
  deps: AppDeps;
  /** This server's Prometheus registry and hooks (also served at /metrics). */
  metrics: ServerMetrics;
  /** The METRICS_BIND listener's port, or null when /metrics is on the main port. */
  metricsPort: number | null;
  /** Stops accepting connections, lets requests in flight finish, then closes the database. */
  close(): Promise<void>;
}

/**
 * Everything long-lived, chosen from the environment: Postgres or PGlite, Redis or
 * in-process, the model provider, file storage, SSO. The one wiring: startServer calls it
 * for main.ts and for startTestServer (testing.ts) alike, so tests run on what production runs.
 */
export async function createAppDeps(
  env: Env,
  log: (msg: string) => void = () => {},
  observers: Pick<AppDeps, "procedureObserver" | "generationObserver"> & {
    usageObserver?: UsageObserver;
  } = {},
): Promise<AppDeps> {
  const url = env.DATABASE_URL ?? env.pgliteDir;
  const db = await createDb(url, {
    onPoolError: (error) => log(`database connection lost: ${error.message}`),
  });
  if (env.MIGRATE_ON_START) {
    const applied = await migrate(db);
    if (applied.length) log(`applied migrations: ${applied.join(", ")}`);
  } else {
    await waitForMigrations(db, log);
  }
  let redis = null;
  if (env.REDIS_URL) {
    let lastError = "";
    const tlsCa = env.REDIS_TLS_CA_FILE ? readFileSync(env.REDIS_TLS_CA_FILE, "utf8") : undefined;
    redis = createRedis(
      env.REDIS_URL,
      (error) => {
        // Reconnection attempts repeat the same error; log each distinct one once.
        if (error.message !== lastError) log(`redis: ${error.message}`);
        lastError = error.message;
      },
      { tlsCa },
    );
    // Start even when Redis is down: everything it backs degrades instead of failing.
    await waitForRedis(redis).catch((error: Error) => log(`${error.message}; starting degraded`));
  }
  const authDeps = createAuthDeps({
    redis,
    keyPrefix: env.REDIS_KEY_PREFIX,
    config: {
      jwtSecret: env.JWT_SECRET,
      adminEmail: env.ADMIN_EMAIL ?? null,
      registration: env.REGISTRATION,
      allowedOrigins: env.CORS_ORIGINS,
    },
  });
  const { usageObserver, ...appObservers } = observers;
  const deps: AppDeps = {
    db,
    redis,
    ...authDeps,
    keyRing: createKeyRing({ current: env.ENCRYPTION_KEY, previous: env.ENCRYPTION_KEY_PREVIOUS }),
    files: {
      storage: createObjectStorage(
        env.FILE_STORAGE === "s3"
          ? {
              kind: "s3",
              endpoint: env.S3_ENDPOINT,
              bucket: env.S3_BUCKET!,
              region: env.S3_REGION,
              accessKeyId: env.S3_ACCESS_KEY_ID,
              secretAccessKey: env.S3_SECRET_ACCESS_KEY,
              forcePathStyle: env.S3_FORCE_PATH_STYLE,
            }
          : { kind: "local", directory: path.join(env.DATA_DIR, "files") },
      ),
      maxBytes: env.FILE_MAX_BYTES,
      quotaBytes: env.STORAGE_QUOTA_BYTES,
    },
    activeUsers: createActiveUserCounter(redis, { keyPrefix: env.REDIS_KEY_PREFIX }),
    usage: createUsageMeter({
      db,
      counter: createTokenCounter(redis, { keyPrefix: env.REDIS_KEY_PREFIX }),
      defaultTokensPerDay: env.QUOTA_TOKENS_PER_DAY,
      observer: () => usageObserver,
      log,
    }),
    ...appObservers,
    ...(env.OIDC_ISSUER && env.OIDC_CLIENT_ID
      ? {
          oidc: createOidcClient({
            issuer: env.OIDC_ISSUER,
            clientId: env.OIDC_CLIENT_ID,
            clientSecret: env.OIDC_CLIENT_SECRET ?? null,
            linkByEmail: env.OIDC_LINK_BY_EMAIL,
            redirectUri: env.OIDC_REDIRECT_URI ?? null,
            label: env.OIDC_LABEL,
          }),
        }
      : {}),
  };
  if (env.DATABASE_REPLICA_URL.length) {
    deps.reads = createReadReplicas({
      primary: db,
      replicas: await Promise.all(
        env.DATABASE_REPLICA_URL.map(async (replicaUrl, i) => ({
          name: `replica${i + 1}`,
          db: await createDb(replicaUrl, {
            onPoolError: (error) => log(`read replica connection lost: ${error.message}`),
          }),
        })),
      ),
      positions: createWritePositions(redis, { keyPrefix: env.REDIS_KEY_PREFIX }),
      maxLagMs: env.DATABASE_REPLICA_MAX_LAG_MS,
      log,
    });
  }
  deps.historyCache = createHistoryCache(redis, {
    enabled: env.HISTORY_CACHE,
    keyPrefix: env.REDIS_KEY_PREFIX,
    log,
  });
  deps.chat = createChatRuntime({
    db,
    redis,
    keyPrefix: env.REDIS_KEY_PREFIX,
    ai: {
      baseUrl: env.OPENAI_BASE_URL,
      apiKey: env.OPENAI_API_KEY,
      models: env.AI_MODELS,
      defaultModel: env.AI_DEFAULT_MODEL,
      visionModels: env.AI_VISION_MODELS,
    },
    keyRing: deps.keyRing,
    settings: {
      leaseMs: env.GENERATION_LEASE_MS,
      sweepIntervalMs: env.GENERATION_SWEEP_INTERVAL_MS,
      modelTimeoutMs: env.AI_TIMEOUT_MS,
      promptTokenBudget: env.AI_PROMPT_TOKEN_BUDGET,
      sendsPerMinute: env.CHAT_SENDS_PER_MINUTE,
      conversationsPerMinute: env.CHAT_CONVERSATIONS_PER_MINUTE,
      stopWaitMs: env.CHAT_STOP_WAIT_MS,
    },
    observer: () => deps.generationObserver,
    usage: () => deps.usage,
    historyWritten: () => (userId) => historyWritten(deps, userId),
    historyCache: () => deps.historyCache,
    attachments: () => (deps.files ? { files: deps.files, keyRing: deps.keyRing } : undefined),
    log,
  });
  return deps;
}

function replicasHealth(reads: ReadReplicas): "ok" | "degraded" {
  return reads.status().every((r) => r.usable) ? "ok" : "degraded";
}

/** With MIGRATE_ON_START=0 a separate job migrates; serving an older schema would fail
 * requests, so the replica waits (its startup probe decides how long). */
async function waitForMigrations(db: Database, log: (msg: string) => void, intervalMs = 2_000) {
  let reported = "";
  for (;;) {
    const pending = await pendingMigrations(db).catch((error: Error) => [error.message]);
    if (!pending.length) return;
    const note = `waiting for the migration job: ${pending.join(", ")}`;
    if (note !== reported) log(note);
    reported = note;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function startServer(
  env: Env,
  log: (msg: string) => void = () => {},
  options: { logger?: Logger } = {},
): Promise<RunningServer> {
  const metrics = createMetrics(routerProcedures(appRouter));
  const deps = await createAppDeps(env, log, {
    procedureObserver: metrics.procedureObserver,
    generationObserver: metrics.generationObserver,
    usageObserver: metrics.usageObserver,
  });
  metrics.watch({
    activeUsers: deps.activeUsers,
    ready: () =>
      deps.db.ping(2_000).then(
        () => true,
        () => false,
      ),
  });
  const app = createApp(deps, {
    webDist: env.WEB_DIST,
    trustProxy: env.TRUST_PROXY,
    readinessChecks: {
      ...(deps.redis && { cache: () => redisHealth(deps.redis) }),
      // A replica down or behind degrades reads to the primary; the pod still serves.
      ...(deps.reads && { replicas: async () => replicasHealth(deps.reads!) }),
    },
    logger: options.logger,
    // With METRICS_BIND, /metrics lives on its own listener only.
    metrics: env.metricsListen ? undefined : metrics,
    metricsToken: env.METRICS_TOKEN,
    corsOrigins: env.CORS_ORIGINS,
    importMaxBytes: env.IMPORT_MAX_BYTES,
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  const metricsServer = env.metricsListen
    ? await listen(metricsApp(metrics, env.METRICS_TOKEN), env.metricsListen)
    : null;
  // Every replica sweeps for replies whose generator died (lapsed lease).
  deps.chat?.start();
  // Uploads never attached to a message go after a day; any replica may sweep them.
  const sweepUploads = () => {
    if (deps.files)
      sweepAbandonedUploads(deps.db, deps.files).catch((error: Error) =>
        log(`sweeping abandoned uploads failed: ${error.message}`),
      );
  };
  const uploadSweep = setInterval(sweepUploads, 60 * 60 * 1000);
  uploadSweep.unref();
  sweepUploads();
  deps.reads?.start();
  const auditSweeper = createAuditSweeper({
    db: deps.db,
    retentionDays: env.AUDIT_RETENTION_DAYS,
    log,
  });
  auditSweeper.start();

  let closing: Promise<void> | undefined;
  return {
    port,
    metricsPort: metricsServer?.port ?? null,
    deps,
    metrics,
    close() {
      closing ??= (async () => {
        clearInterval(uploadSweep);
        auditSweeper.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        metricsServer?.server.close();
        // Replies being written finish, or are stored `interrupted` with their text; then the
        // open streams are cut, so their clients resume (lastEventId) on another replica.
        await deps.chat?.close();
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        await closed;
        await deps.historyCache?.close();
        deps.redis?.disconnect();
        await deps.reads?.close();
        await deps.db.close();
      })();
      return closing;
    },
  };
}

/** /metrics alone, for METRICS_BIND: a port that only Prometheus can reach. */
function metricsApp(metrics: ServerMetrics, token: string | undefined) {
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    c.res.headers.set("X-Content-Type-Options", "nosniff");
  });
  app.get("/metrics", metricsHandler(metrics, token));
  return app;
}

function listen(
  app: Hono,
  { host, port }: { host: string; port: number },
): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, (info) =>
      resolve({ server: s, port: info.port }),
    );
    s.once("error", reject);
  });
}

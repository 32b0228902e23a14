import { Redis } from "ioredis";

/**
 * A Redis client that fails fast instead of queueing while Redis is down, so callers can
 * fall back (session cache → Postgres) and requests never hang on a dead cache. It keeps
 * reconnecting in the background and recovers on its own.
 */
export function createRedis(
  url: string,
  onError: (error: Error) => void = () => {},
  options: { tlsCa?: string } = {},
): Redis {
  const redis = new Redis(url, {
    // rediss:// verifies the server's certificate; a private CA is trusted when given.
    ...(url.startsWith("rediss://") && options.tlsCa ? { tls: { ca: options.tlsCa } } : {}),
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on("error", onError);
  return redis;
}

/** A client of `url` once it is ready; on failure, none is left connecting. (The server
 * starts degraded instead of waiting: see server.ts.) */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = createRedis(url);
  try {
    await waitForRedis(redis);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

/** Resolves once the client is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}

export async function redisHealth(redis: Redis | null): Promise<"ok" | "degraded"> {
  if (!redis) return "ok";
  try {
    await redis.ping();
    return "ok";
  } catch {
    return "degraded";
  }
}

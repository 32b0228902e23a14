import type { Redis } from "ioredis";
import { createMemoryHistoryCache } from "./memory";
import { createRedisHistoryCache } from "./redis";
import { emptyStats, type HistoryCache, type HistoryCacheOptions } from "./types";

export { createMemoryHistoryCache } from "./memory";
export { createRedisHistoryCache } from "./redis";
export type { HistoryCache, HistoryCacheOptions, HistoryCacheStats } from "./types";

/** No caching at all (HISTORY_CACHE=0): every read loads. */
export function createDisabledHistoryCache(): HistoryCache {
  const stats = emptyStats();
  const pass = async <T>(load: () => Promise<T>) => {
    stats.bypassed++;
    return load();
  };
  return {
    read: (_userId, _key, load) => pass(load),
    shared: (_key, _ttl, load) => pass(load),
    async invalidate() {},
    stats: () => ({ ...stats }),
    async close() {},
  };
}

/** Memory in front of Redis when the deployment has Redis, memory alone when not. */
export function createHistoryCache(
  redis: Redis | null,
  options: HistoryCacheOptions & {
    enabled?: boolean;
    keyPrefix?: string;
    log?: (message: string) => void;
  } = {},
): HistoryCache {
  const { enabled = true, keyPrefix = "parley:", log, ...sizes } = options;
  if (!enabled) return createDisabledHistoryCache();
  return redis
    ? createRedisHistoryCache(redis, { ...sizes, prefix: `${keyPrefix}hc:`, log })
    : createMemoryHistoryCache(sizes);
}

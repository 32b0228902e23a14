import { LocalLayer, sizeOf } from "./local";
import {
  defaultHistoryCacheOptions,
  emptyStats,
  type HistoryCache,
  type HistoryCacheOptions,
} from "./types";

/**
 * The single-process twin (the embedded default, no Redis): the in-memory level only, with
 * generations kept here. A write raises the user's generation to a number never used
 * before, so even after the generation table is reset no old entry matches again.
 */
export function createMemoryHistoryCache(
  options: HistoryCacheOptions & { maxUsers?: number } = {},
): HistoryCache {
  const { maxLocalBytes, ttlMs } = { ...defaultHistoryCacheOptions, ...options };
  const maxUsers = options.maxUsers ?? 100_000;
  const local = new LocalLayer({ maxBytes: maxLocalBytes, ttlMs });
  const generations = new Map<string, bigint>();
  let counter = 0n;
  const stats = emptyStats();

  return {
    async read(userId, key, load, cacheable = () => true) {
      const localKey = LocalLayer.key(userId, String(generations.get(userId) ?? 0n), key);
      const hit = local.get(localKey);
      if (hit) {
        stats.localHits++;
        return hit.value as Awaited<ReturnType<typeof load>>;
      }
      const value = await load();
      if (!cacheable(value)) {
        stats.bypassed++;
        return value;
      }
      stats.misses++;
      local.set(localKey, value, sizeOf(value));
      return value;
    },
    async shared(key, entryTtlMs, load, cacheable = () => true) {
      const localKey = LocalLayer.key("*", "0", key);
      const hit = local.get(localKey);
      if (hit) {
        stats.localHits++;
        return hit.value as Awaited<ReturnType<typeof load>>;
      }
      const value = await load();
      if (!cacheable(value)) {
        stats.bypassed++;
        return value;
      }
      stats.misses++;
      local.set(localKey, value, sizeOf(value), entryTtlMs);
      return value;
    },
    async invalidate(userId) {
      if (generations.size >= maxUsers && !generations.has(userId)) {
        // Forgetting generations would let old entries match again: drop those too.
        generations.clear();
        local.clear();
      }
      generations.set(userId, ++counter);
      local.dropUser(userId);
    },
    stats: () => ({ ...stats, localEntries: local.size }),
    async close() {
      local.clear();
    },
  };
}

import type { CachedAccess, SessionCache } from "./types";

/** The single-process twin: a bounded Map with per-entry expiry. */
export function createMemorySessionCache(options: { maxEntries?: number } = {}): SessionCache {
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, { value: CachedAccess; until: number }>();
  return {
    async get(key) {
      const hit = entries.get(key);
      if (!hit) return null;
      if (hit.until <= Date.now()) {
        entries.delete(key);
        return null;
      }
      return hit.value;
    },
    async set(key, value, ttlSeconds) {
      entries.delete(key);
      // Maps iterate in insertion order, so the first key is the oldest entry.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { value, until: Date.now() + ttlSeconds * 1000 });
    },
    async delete(keys) {
      for (const key of keys) entries.delete(key);
    },
  };
}

import type { WritePositions } from "./types";

/** The single-process twin: bounded, entries expire like Redis keys. */
export function createMemoryWritePositions(
  options: { maxEntries?: number; now?: () => number } = {},
): WritePositions {
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { position: bigint; expiresAt: number }>();

  function live(userId: string) {
    const entry = entries.get(userId);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(userId);
      return undefined;
    }
    return entry;
  }

  return {
    async get(userId) {
      return live(userId)?.position ?? null;
    },
    async raise(userId, position, ttlMs) {
      const kept = live(userId);
      const best = kept && kept.position > position ? kept.position : position;
      entries.delete(userId); // re-inserted last: the Map's order is the eviction order
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(userId, { position: best, expiresAt: now() + ttlMs });
    },
  };
}

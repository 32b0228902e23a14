/**
 * A cache for hot, finished history: conversation list pages, pages of finished messages,
 * the model list. Two levels: this process's memory (an LRU) in front of Redis, shared by
 * every replica.
 *
 * Every per-user entry is stored under the user's generation, a number that only grows and
 * that each write of the user raises (`invalidate`). A read asks for the current generation
 * first, so after a write on any replica no entry of an older generation is served again,
 * and an entry filled late from a read that started before the write lands under the old
 * generation, where nobody looks: a late fill or a late invalidation cannot bring stale
 * data back.
 */
export interface HistoryCache {
  /**
   * `load()`'s value for the user's `key`: from memory, from Redis, or loaded (and stored
   * when `cacheable` says so). Never fails because of the cache: when Redis is unreachable
   * the value is loaded. `key` must name everything the value depends on except the user.
   * Callers must not change the returned value (it may be the cached object itself).
   */
  read<T>(
    userId: string,
    key: string,
    load: () => Promise<T>,
    cacheable?: (value: T) => boolean,
  ): Promise<T>;
  /** A value shared by every user (the model list), kept for `ttlMs`. */
  shared<T>(
    key: string,
    ttlMs: number,
    load: () => Promise<T>,
    cacheable?: (value: T) => boolean,
  ): Promise<T>;
  /** Forgets everything cached for the user, on every replica. Call after the write has
   * committed. Never throws. */
  invalidate(userId: string): Promise<void>;
  /** Counters since start, for tests and metrics. */
  stats(): HistoryCacheStats;
  close(): Promise<void>;
}

export interface HistoryCacheStats {
  /** Served from this process's memory. */
  localHits: number;
  /** Served from Redis (then kept in memory). */
  sharedHits: number;
  /** Loaded from the database and stored. */
  misses: number;
  /** Loaded and not stored: not cacheable (a reply still streaming), the cache is off, or
   * Redis could not say the user's generation. */
  bypassed: number;
  /** Entries in this process's memory now. */
  localEntries: number;
}

export interface HistoryCacheOptions {
  /** Most bytes (of serialized values, roughly) this process keeps in memory. */
  maxLocalBytes?: number;
  /** How long an entry lives at most, in memory and in Redis. Bounds how long a write
   * whose invalidation could not reach Redis (an outage) may go unseen elsewhere. */
  ttlMs?: number;
}

export const defaultHistoryCacheOptions: Required<HistoryCacheOptions> = {
  maxLocalBytes: 64 * 1024 * 1024,
  ttlMs: 5 * 60_000,
};

export function emptyStats(): HistoryCacheStats {
  return { localHits: 0, sharedHits: 0, misses: 0, bypassed: 0, localEntries: 0 };
}

import { LRUCache } from "lru-cache";

/**
 * This process's level: an LRU bounded by size, with entries indexed by user so a write
 * (here or, through pub/sub, on another replica) can drop them at once. Keys are
 * `user|generation|key`; shared entries use the user "*".
 */
export class LocalLayer {
  private readonly lru: LRUCache<string, { value: unknown }>;
  private readonly byUser = new Map<string, Set<string>>();

  constructor(options: { maxBytes: number; ttlMs: number }) {
    this.lru = new LRUCache<string, { value: unknown }>({
      maxSize: options.maxBytes,
      ttl: options.ttlMs,
      // Size comes with each set (the serialized length); never below 1.
      sizeCalculation: () => 1,
      dispose: (_value, key) => this.unindex(key),
    });
  }

  static key(userId: string, generation: string, key: string) {
    return `${userId}|${generation}|${key}`;
  }

  get(key: string): { value: unknown } | undefined {
    return this.lru.get(key);
  }

  set(key: string, value: unknown, size: number, ttlMs?: number) {
    const userId = key.slice(0, key.indexOf("|"));
    this.lru.set(key, { value }, { size: Math.max(1, size), ...(ttlMs && { ttl: ttlMs }) });
    if (!this.lru.has(key)) return; // larger than the whole budget
    let keys = this.byUser.get(userId);
    if (!keys) this.byUser.set(userId, (keys = new Set()));
    keys.add(key);
  }

  /** Drops the user's entries of generations below `below` (all of them without it). */
  dropUser(userId: string, below?: bigint) {
    const keys = this.byUser.get(userId);
    if (!keys) return;
    for (const key of [...keys]) {
      const generation = key.split("|", 2)[1]!;
      if (below === undefined || BigInt(generation) < below) this.lru.delete(key);
    }
  }

  get size() {
    return this.lru.size;
  }

  clear() {
    this.lru.clear();
    this.byUser.clear();
  }

  private unindex(key: string) {
    const userId = key.slice(0, key.indexOf("|"));
    const keys = this.byUser.get(userId);
    if (!keys) return;
    keys.delete(key);
    if (!keys.size) this.byUser.delete(userId);
  }
}

/** Roughly how much memory a value takes: its JSON length (computed once, on a fill). */
export function sizeOf(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 1;
  } catch {
    return 1;
  }
}

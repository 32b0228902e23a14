import type { RateLimiter } from "./types";

/** The single-process twin (also the fallback of the Redis limiter while Redis is down). */
export function createMemoryRateLimiter(
  options: { maxKeys?: number; now?: () => number } = {},
): RateLimiter {
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  const attempts = new Map<string, number[]>();

  return {
    async hit(key, rule) {
      const t = now();
      const windowMs = rule.windowSeconds * 1000;
      const recent = (attempts.get(key) ?? []).filter((at) => at > t - windowMs);
      if (recent.length >= rule.limit) {
        attempts.set(key, recent);
        const oldest = recent[0] ?? t;
        return {
          allowed: false,
          remaining: 0,
          retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - t) / 1000)),
        };
      }
      recent.push(t);
      attempts.delete(key);
      // Bounded memory: drop the least recently touched key (Map keeps insertion order).
      if (attempts.size >= maxKeys) attempts.delete(attempts.keys().next().value as string);
      attempts.set(key, recent);
      return { allowed: true, remaining: rule.limit - recent.length, retryAfterSeconds: 0 };
    },
    async reset(key) {
      attempts.delete(key);
    },
  };
}

import {
  DEFAULT_ACTIVE_WINDOW_MS,
  type ActiveUserCounter,
  type ActiveUserCounterOptions,
} from "./types";

/** Last-seen time per user in a Map; entries older than the window are dropped as it goes. */
export function createMemoryActiveUserCounter(
  options: ActiveUserCounterOptions = {},
): ActiveUserCounter {
  const windowMs = options.windowMs ?? DEFAULT_ACTIVE_WINDOW_MS;
  const now = options.now ?? Date.now;
  const lastSeen = new Map<string, number>();

  const dropExpired = (cutoff: number) => {
    for (const [userId, seenAt] of lastSeen) if (seenAt <= cutoff) lastSeen.delete(userId);
  };

  return {
    async record(userId) {
      const at = now();
      lastSeen.set(userId, Math.max(at, lastSeen.get(userId) ?? 0));
      // Keep memory bounded by the users of one window, not by everyone ever seen.
      if (lastSeen.size > 1_000) dropExpired(at - windowMs);
    },
    async count() {
      dropExpired(now() - windowMs);
      return lastSeen.size;
    },
  };
}

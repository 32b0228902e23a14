import type { DailyTokenCounter } from "./types";

/** The single-process twin: only the current days are kept, so memory stays bounded. */
export function createMemoryTokenCounter(options: { maxKeys?: number } = {}): DailyTokenCounter {
  const maxKeys = options.maxKeys ?? 100_000;
  const counts = new Map<string, number>();
  const key = (userId: string, day: string) => `${day}:${userId}`;

  function forgetOtherDays(day: string) {
    // Keys start with their day; anything older than the day before is never asked again.
    const previous = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000)
      .toISOString()
      .slice(0, 10);
    for (const k of counts.keys()) {
      if (!k.startsWith(day) && !k.startsWith(previous)) counts.delete(k);
    }
  }

  return {
    async get(userId, day) {
      return counts.get(key(userId, day)) ?? null;
    },
    async seed(userId, day, tokens) {
      const k = key(userId, day);
      const known = counts.get(k);
      if (known !== undefined) return known;
      if (counts.size >= maxKeys) forgetOtherDays(day);
      // Still full with today's users: drop the oldest entry; it is re-seeded from Postgres.
      if (counts.size >= maxKeys) counts.delete(counts.keys().next().value as string);
      counts.set(k, tokens);
      return tokens;
    },
    async add(userId, day, tokens) {
      const k = key(userId, day);
      const known = counts.get(k);
      if (known !== undefined) counts.set(k, known + tokens);
    },
  };
}

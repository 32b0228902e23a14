/**
 * Tokens each user spent per UTC day, shared by every replica: the quota check reads it
 * before every model call, so it must not cost a Postgres sum each time. Postgres
 * (usage_records) stays the truth: a day the counter does not know is summed there once and
 * seeded, and a counter that fails makes the caller ask Postgres instead.
 */
export interface DailyTokenCounter {
  /** The day's count, or null when this counter does not hold it (never seeded, expired). */
  get(userId: string, day: string): Promise<number | null>;
  /** Stores `tokens` unless the day is already known; returns the count kept. */
  seed(userId: string, day: string, tokens: number): Promise<number>;
  /** Adds to a known day; an unknown day stays unknown (it is seeded from Postgres later,
   * and that sum already includes these tokens). */
  add(userId: string, day: string, tokens: number): Promise<void>;
}

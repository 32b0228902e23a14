/**
 * Counts distinct signed-in users seen recently. With several API replicas the Redis
 * implementation gives every replica the same answer; the in-process twin serves the
 * single-process embedded default.
 */
export interface ActiveUserCounter {
  /** Notes that `userId` made a request now. */
  record(userId: string): Promise<void>;
  /** How many distinct users made a request in the last window (5 minutes by default). */
  count(): Promise<number>;
}

export interface ActiveUserCounterOptions {
  /** How long a user counts as active after their last request. */
  windowMs?: number;
  /** The clock; tests move it by hand. */
  now?: () => number;
}

export const DEFAULT_ACTIVE_WINDOW_MS = 5 * 60_000;

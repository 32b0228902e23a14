export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Attempts left in the window after this one. */
  remaining: number;
  /** When refused: seconds until the oldest attempt leaves the window. 0 when allowed. */
  retryAfterSeconds: number;
}

/**
 * A sliding-window limiter: at most `limit` attempts in any `windowSeconds` span. Refused
 * attempts are not recorded, so a caller who waits `retryAfterSeconds` gets through.
 */
export interface RateLimiter {
  hit(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /** Forgets a key's attempts (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

export { createMemoryRateLimiter } from "./memory";
export { createRedisRateLimiter } from "./redis";
export type { RateLimiter, RateLimitResult, RateLimitRule } from "./types";

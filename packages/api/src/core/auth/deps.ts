import type { Redis } from "ioredis";
import {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type RateLimiter,
} from "../../infra/rate-limit";
import {
  createMemorySessionCache,
  createRedisSessionCache,
  type SessionCache,
} from "../../infra/session-cache";
import { createAuthConfig, type AuthConfig } from "./config";
import { createPasswordHasher, type PasswordHasher, type PasswordHasherOptions } from "./passwords";

/** The auth parts of AppDeps. */
export interface AuthDeps {
  auth: { config: AuthConfig; passwords: PasswordHasher };
  sessionCache: SessionCache;
  rateLimiter: RateLimiter;
}

/**
 * Builds the auth services: Redis-backed when `redis` is given, in-process otherwise.
 * `keyPrefix` separates Redis keys of parallel test runs (and of deployments sharing Redis).
 */
export function createAuthDeps(options: {
  redis: Redis | null;
  config: Parameters<typeof createAuthConfig>[0];
  passwords?: PasswordHasherOptions;
  keyPrefix?: string;
}): AuthDeps {
  const prefix = options.keyPrefix ?? "parley:";
  return {
    auth: {
      config: createAuthConfig(options.config),
      passwords: createPasswordHasher(options.passwords),
    },
    sessionCache: options.redis
      ? createRedisSessionCache(options.redis, { prefix: `${prefix}auth:` })
      : createMemorySessionCache(),
    rateLimiter: options.redis
      ? createRedisRateLimiter(options.redis, { prefix: `${prefix}rl:` })
      : createMemoryRateLimiter(),
  };
}

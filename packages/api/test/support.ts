import { randomUUID } from "node:crypto";
import { createTestDatabase, redisUrl, type TestDatabase } from "@parley/testing";
import type { Redis } from "ioredis";
import {
  appRouter,
  createRequestContext,
  createAuthDeps,
  createCallerFactory,
  createKeyRing,
  createRedis,
  createTokenCounter,
  createUsageMeter,
  generateMasterKey,
  waitForRedis,
  type AppDeps,
  type AuthRateLimits,
  type RegistrationMode,
  type RequestMeta,
} from "../src";

export const JWT_SECRET = "test-secret-that-is-long-enough-0123456789";
const createCaller = createCallerFactory(appRouter);

export interface AuthTestContext {
  deps: AppDeps;
  t: TestDatabase;
  /** A caller as an HTTP request would build it: headers are authenticated for real. */
  caller(req?: Partial<RequestMeta> & { token?: string; ip?: string }): Promise<{
    api: ReturnType<typeof createCaller>;
    req: RequestMeta;
  }>;
  /** Registers a user and returns its tokens (refresh token in the body). */
  register(name: string, options?: { ip?: string; password?: string }): Promise<Registered>;
  cleanup(): Promise<void>;
}

export interface Registered {
  id: string;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  role: "user" | "admin";
}

/**
 * AppDeps for procedure tests: a scratch database (Postgres when DATABASE_URL is set, else
 * PGlite) and, when REDIS_URL is set, Redis-backed cache and limiter under a unique prefix.
 */
export async function createAuthTestContext(
  options: {
    adminEmail?: string;
    rateLimits?: Partial<AuthRateLimits>;
    redis?: boolean;
    /** QUOTA_TOKENS_PER_DAY (default 0: unlimited). */
    quotaTokensPerDay?: number;
    registration?: RegistrationMode;
  } = {},
): Promise<AuthTestContext> {
  const t = await createTestDatabase();
  const url = options.redis === false ? undefined : redisUrl();
  let redis: Redis | null = null;
  if (url) {
    redis = createRedis(url);
    await waitForRedis(redis);
  }
  const keyPrefix = `test:${randomUUID()}:`;
  const deps: AppDeps = {
    db: t.db,
    redis,
    usage: createUsageMeter({
      db: t.db,
      counter: createTokenCounter(redis, { keyPrefix }),
      defaultTokensPerDay: options.quotaTokensPerDay ?? 0,
    }),
    keyRing: createKeyRing({ current: generateMasterKey() }),
    ...createAuthDeps({
      redis,
      keyPrefix,
      config: {
        jwtSecret: JWT_SECRET,
        adminEmail: options.adminEmail ?? null,
        ...(options.registration ? { registration: options.registration } : {}),
        allowedOrigins: ["https://app.example.com"],
        ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
      },
    }),
  };

  const caller: AuthTestContext["caller"] = async (partial = {}) => {
    const { token, ...rest } = partial;
    const headers = new Headers(rest.headers);
    if (token) headers.set("authorization", `Bearer ${token}`);
    const req: RequestMeta = {
      ip: rest.ip ?? "10.0.0.1",
      userAgent: rest.userAgent ?? "vitest",
      headers,
      responseHeaders: rest.responseHeaders ?? new Headers(),
      secure: rest.secure ?? false,
      requestId: rest.requestId ?? randomUUID(),
    };
    return { api: createCaller(await createRequestContext(deps, req)), req };
  };

  const register: AuthTestContext["register"] = async (name, opts = {}) => {
    const password = opts.password ?? `pw-${name}-secret`;
    const { api } = await caller({
      ip: opts.ip ?? `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
    });
    const result = await api.auth.register({
      username: name,
      email: `${name}@example.com`,
      password,
      refreshTokenInBody: true,
    });
    return {
      id: result.user.id,
      username: result.user.username,
      email: result.user.email,
      role: result.user.role,
      password,
      accessToken: result.accessToken,
      refreshToken: result.refreshToken!,
    };
  };

  return {
    deps,
    t,
    caller,
    register,
    async cleanup() {
      redis?.disconnect();
      await t.cleanup();
    },
  };
}

/** The tRPC error code of a rejected call, or "OK" when it resolved. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

export { appRouter } from "./routers/_app";
export type { AppRouter } from "./routers/_app";
export { createCallerFactory } from "./trpc";
export { createContextInner, createRequestMeta } from "./context";
export type { AppDeps, AuthUser, Context, ContextInner, RequestMeta } from "./context";
export { DomainError, isDomainError } from "./errors";
export { authenticateRequest } from "./auth/authenticate";
export { createRedis, redisHealth, waitForRedis } from "./infra/redis";

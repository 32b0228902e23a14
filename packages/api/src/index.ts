export { appRouter } from "./routers/_app";
export type { AppRouter } from "./routers/_app";
export { createCallerFactory } from "./trpc";
export { createContextInner, createRequestMeta } from "./context";
export type { AppDeps, AuthUser, Context, ContextInner, RequestMeta } from "./context";
export { DomainError, isDomainError } from "./errors";
export { authenticateRequest } from "./auth/authenticate";
export { createRedis, redisHealth, waitForRedis } from "./infra/redis";
export {
  createActiveUserCounter,
  createMemoryActiveUserCounter,
  createRedisActiveUserCounter,
  type ActiveUserCounter,
} from "./infra/active-users";
export {
  wasObserved,
  type ProcedureCall,
  type ProcedureObserver,
  type ProcedureType,
} from "./observability";
export { createAuthDeps, type AuthDeps } from "./auth/deps";
export {
  createAuthConfig,
  defaultRateLimits,
  type AuthConfig,
  type AuthRateLimits,
} from "./auth/config";
export { REFRESH_COOKIE } from "./auth/cookies";
export { API_KEY_PREFIX } from "./auth/tokens";
export {
  createMemorySessionCache,
  createRedisSessionCache,
  type CachedAccess,
  type SessionCache,
} from "./infra/session-cache";
export {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type RateLimiter,
  type RateLimitResult,
  type RateLimitRule,
} from "./infra/rate-limit";
export type {
  ApiKeyInfo,
  CreatedApiKey,
  PublicUser,
  SessionInfo,
  UserPage,
} from "./auth/public-types";
export { createChatRuntime, type ChatRuntime, type ChatRuntimeOptions } from "./chat/runtime";
export { defaultChatSettings, chatLimits, type AiConfig, type ChatSettings } from "./chat/settings";
export type { GenerationInfo, GenerationObserver, GenerationOutcome } from "./chat/observer";
export type { ReplyEvent } from "./chat/reply-stream";
export {
  createMemoryStreamBus,
  createRedisStreamBus,
  type StreamBus,
  type StreamEntry,
} from "./infra/stream-bus";
export {
  createMemoryCancelSignal,
  createRedisCancelSignal,
  type CancelSignal,
} from "./infra/cancel";
export { signAccessToken, verifyAccessToken, type AccessClaims } from "./auth/jwt";

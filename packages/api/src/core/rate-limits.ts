import type { RateLimiter, RateLimitRule } from "../infra/rate-limit";
import type { RequestMeta } from "./context";
import { DomainError } from "./errors";

/** Records an attempt; over the limit it answers 429 with Retry-After. */
export async function enforceRateLimit(
  limiter: RateLimiter,
  req: RequestMeta,
  key: string,
  rule: RateLimitRule,
  message: string,
): Promise<void> {
  const result = await limiter.hit(key, rule);
  if (result.allowed) return;
  req.responseHeaders.set("Retry-After", String(result.retryAfterSeconds));
  throw new DomainError(
    "TOO_MANY_REQUESTS",
    `${message}; try again in ${result.retryAfterSeconds} s`,
    {
      retryAfterSeconds: result.retryAfterSeconds,
    },
  );
}

/** Every rate-limit key in one place, so two features can never share one by accident. */
export const rateLimitKeys = {
  loginIp: (ip: string) => `login:ip:${ip}`,
  /** Keyed by what was typed (normalised), never by the account it names: an existing and
   * an unknown login spend their budgets alike, so the budget tells nothing about accounts. */
  loginIdentifierIp: (identifier: string, ip: string) => `login:id:${identifier}:ip:${ip}`,
  registerIp: (ip: string) => `register:ip:${ip}`,
  reauthUser: (userId: string) => `reauth:user:${userId}`,
  /** TOTP and recovery codes, whether signing in or changing 2FA settings. */
  secondFactorUser: (userId: string) => `second-factor:user:${userId}`,
  chatSendUser: (userId: string) => `chat-send:user:${userId}`,
  conversationCreateUser: (userId: string) => `conversation-create:user:${userId}`,
  /** /v1/chat/completions, with the same per-minute budget as chat sends (its own count). */
  openaiUser: (userId: string) => `openai:user:${userId}`,
};

import type { RegistrationMode } from "./registration";
import type { RateLimitRule } from "../../infra/rate-limit";

/** Auth settings chosen by the app (apps/api reads them from the environment). */
export interface AuthConfig {
  /** HS256 key for access tokens; at least 32 characters. */
  jwtSecret: string;
  /** `iss` and `aud` written into and required of every access token. */
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  /** Sliding session lifetime: each refresh pushes expiry this far out. */
  sessionTtlSeconds: number;
  /** How long a just-rotated refresh cookie is still honoured (see sessions.ts). */
  refreshGraceSeconds: number;
  /** The user registering with this email becomes an admin. */
  adminEmail: string | null;
  /** Who may create an account (REGISTRATION); see registration.ts. */
  registration: RegistrationMode;
  /** Origins, besides the API's own, allowed to make cookie-authenticated calls. */
  allowedOrigins: string[];
  rateLimits: AuthRateLimits;
}

export interface AuthRateLimits {
  /** Login attempts from one IP, whatever the account. */
  loginPerIp: RateLimitRule;
  /** Login attempts on one account from one IP: the brute-force guard that cannot be used
   * to lock the owner out from elsewhere. */
  loginPerAccountAndIp: RateLimitRule;
  registerPerIp: RateLimitRule;
  /** Re-authentication (change password, delete account) per user. */
  reauthPerUser: RateLimitRule;
  /** TOTP and recovery-code attempts per user: 10 guesses at a 6-digit code per window. */
  secondFactorPerUser: RateLimitRule;
}

export const defaultRateLimits: AuthRateLimits = {
  loginPerIp: { limit: 50, windowSeconds: 15 * 60 },
  loginPerAccountAndIp: { limit: 5, windowSeconds: 15 * 60 },
  registerPerIp: { limit: 20, windowSeconds: 60 * 60 },
  reauthPerUser: { limit: 10, windowSeconds: 15 * 60 },
  secondFactorPerUser: { limit: 10, windowSeconds: 15 * 60 },
};

export function createAuthConfig(
  options: Pick<AuthConfig, "jwtSecret"> &
    Partial<Omit<AuthConfig, "rateLimits">> & {
      rateLimits?: Partial<AuthRateLimits>;
    },
): AuthConfig {
  if (options.jwtSecret.length < 32) throw new Error("jwtSecret must be at least 32 characters");
  return {
    issuer: "parley",
    audience: "parley-api",
    accessTokenTtlSeconds: 15 * 60,
    sessionTtlSeconds: 30 * 24 * 60 * 60,
    refreshGraceSeconds: 20,
    adminEmail: null,
    registration: "open",
    allowedOrigins: [],
    ...options,
    rateLimits: { ...defaultRateLimits, ...options.rateLimits },
  };
}

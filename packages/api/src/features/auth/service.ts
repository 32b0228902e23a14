import { auth as q, users } from "@parley/db";
import {
  assertAllowedOrigin,
  clearRefreshCookie,
  readRefreshCookie,
  setRefreshCookie,
} from "../../core/auth/cookies";
import type { PublicUser, SessionInfo } from "../../core/auth/public-types";
import {
  forgetCredentials,
  refreshSession,
  revokeSessions,
  sessionIdOfRefreshToken,
  startSession,
  type IssuedTokens,
} from "../../core/auth/sessions";
import type { AppDeps, AuthUser, RequestMeta } from "../../core/context";
import { DomainError } from "../../core/errors";
import { enforceRateLimit, rateLimitKeys } from "../../core/rate-limits";
import { describeDevice } from "./device";

export interface AuthPayload {
  user: PublicUser;
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** Present only when asked for in the body (desktop, tools); the web gets a cookie. */
  refreshToken?: string;
}

function deliver(
  deps: AppDeps,
  req: RequestMeta,
  user: PublicUser,
  tokens: IssuedTokens,
  inBody: boolean,
): AuthPayload {
  const payload: AuthPayload = {
    user,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
  };
  if (tokens.refreshToken) {
    if (inBody) payload.refreshToken = tokens.refreshToken;
    else setRefreshCookie(req, tokens.refreshToken, deps.auth.config.sessionTtlSeconds);
  }
  return payload;
}

/** Login and register may set the cookie: a browser must call them from an allowed origin
 * (no login CSRF). Tools send no Origin and are not affected. */
function checkOriginForCookie(deps: AppDeps, req: RequestMeta, inBody: boolean | undefined) {
  if (!inBody) assertAllowedOrigin(req, deps.auth.config.allowedOrigins, { required: false });
}

async function createAccount(
  deps: AppDeps,
  input: { username: string; email: string; password: string },
  req: RequestMeta,
): Promise<{ user: PublicUser; tokens: IssuedTokens }> {
  const { config, passwords } = deps.auth;
  await enforceRateLimit(
    deps.rateLimiter,
    req,
    rateLimitKeys.registerIp(req.ip),
    config.rateLimits.registerPerIp,
    "Too many accounts created from this address",
  );
  const passwordHash = await passwords.hash(input.password);
  const adminEmail = config.adminEmail?.toLowerCase() ?? null;
  const user = await q.createUserDecidingRole(
    deps.db,
    { username: input.username, email: input.email, passwordHash },
    (isFirstUser) => (isFirstUser || input.email === adminEmail ? "admin" : "user"),
  );
  return { user, tokens: await startSession(deps, user, req) };
}

const wrongCredentials = () => new DomainError("UNAUTHORIZED", "Wrong username, email or password");

async function verifyLogin(
  deps: AppDeps,
  input: { login: string; password: string },
  req: RequestMeta,
): Promise<{ user: PublicUser; tokens: IssuedTokens }> {
  const { config, passwords } = deps.auth;
  const limiter = deps.rateLimiter;
  await enforceRateLimit(
    limiter,
    req,
    rateLimitKeys.loginIp(req.ip),
    config.rateLimits.loginPerIp,
    "Too many sign-in attempts from this address",
  );

  // Usernames cannot contain '@', so the login names exactly one kind of identifier.
  const byEmail = input.login.includes("@");
  const login = byEmail ? input.login.trim().toLowerCase() : input.login.trim();
  const credentials = await q.findCredentialsByLogin(
    deps.db,
    byEmail ? { email: login } : { username: login },
  );

  // Per account *and* IP: an attacker exhausts only their own budget for this account, so
  // the owner signing in from elsewhere is never locked out.
  const pairKey = rateLimitKeys.loginAccountIp(credentials?.id ?? `unknown:${login}`, req.ip);
  await enforceRateLimit(
    limiter,
    req,
    pairKey,
    config.rateLimits.loginPerAccountAndIp,
    "Too many sign-in attempts for this account",
  );

  // Unknown users are checked against a dummy hash, so they take as long as wrong passwords.
  const ok = await passwords.verify(credentials?.passwordHash ?? null, input.password);
  if (!ok || !credentials) throw wrongCredentials();
  // Only after the password matched, so probing cannot learn which accounts are disabled.
  if (credentials.disabledAt) throw new DomainError("FORBIDDEN", "This account has been disabled");

  await limiter.reset(pairKey);
  const user = await users.findUserById(deps.db, credentials.id);
  if (!user) throw wrongCredentials();
  return { user, tokens: await startSession(deps, user, req) };
}

export async function register(
  deps: AppDeps,
  req: RequestMeta,
  input: { username: string; email: string; password: string; refreshTokenInBody?: boolean },
): Promise<AuthPayload> {
  checkOriginForCookie(deps, req, input.refreshTokenInBody);
  const { user, tokens } = await createAccount(deps, input, req);
  return deliver(deps, req, user, tokens, input.refreshTokenInBody ?? false);
}

export async function logIn(
  deps: AppDeps,
  req: RequestMeta,
  input: { login: string; password: string; refreshTokenInBody?: boolean },
): Promise<AuthPayload> {
  checkOriginForCookie(deps, req, input.refreshTokenInBody);
  const { user, tokens } = await verifyLogin(deps, input, req);
  return deliver(deps, req, user, tokens, input.refreshTokenInBody ?? false);
}

/**
 * A new access token for a refresh token given in the body (answered in the body) or in
 * the cookie (answered with a new cookie; the request's Origin must be allowed).
 */
export async function refresh(
  deps: AppDeps,
  req: RequestMeta,
  fromBody: string | undefined,
): Promise<AuthPayload> {
  const token = fromBody ?? readRefreshCookie(req);
  if (!token) throw new DomainError("UNAUTHORIZED", "No refresh token; sign in again");
  if (!fromBody) assertAllowedOrigin(req, deps.auth.config.allowedOrigins, { required: true });
  try {
    const tokens = await refreshSession(deps, token, fromBody ? "body" : "cookie", req);
    const user = await users.findUserById(deps.db, tokens.userId);
    if (!user) throw new DomainError("UNAUTHORIZED", "Account not found; sign in again");
    return deliver(deps, req, user, tokens, Boolean(fromBody));
  } catch (error) {
    if (!fromBody && error instanceof DomainError && error.code === "UNAUTHORIZED")
      clearRefreshCookie(req);
    throw error;
  }
}

/** Ends the caller's session: the one behind the access token, else the refresh token
 * in the body, else the cookie (Origin checked). Always clears the cookie. */
export async function logOut(
  deps: AppDeps,
  req: RequestMeta,
  caller: AuthUser | null,
  fromBody: string | undefined,
): Promise<void> {
  let sessionId = caller?.sessionId ?? null;
  if (!sessionId && fromBody) sessionId = await sessionIdOfRefreshToken(deps, fromBody);
  const cookie = readRefreshCookie(req);
  if (!sessionId && cookie) {
    assertAllowedOrigin(req, deps.auth.config.allowedOrigins, { required: true });
    sessionId = await sessionIdOfRefreshToken(deps, cookie);
  }
  if (sessionId) await revokeSessions(deps, [sessionId]);
  if (cookie) clearRefreshCookie(req);
}

/** The caller, and how they authenticated. */
export interface Me extends PublicUser {
  /** The session behind the access token; null when calling with an API key. */
  sessionId: string | null;
  via: "session" | "apiKey";
}

/** Served from what authentication resolved (the session cache on a hit): no Postgres read.
 * A live credential means an enabled account, so disabledAt is null. */
export async function me(deps: AppDeps, caller: AuthUser): Promise<Me> {
  const user = caller.account
    ? { id: caller.id, role: caller.role, disabledAt: null, ...caller.account }
    : await users.findUserById(deps.db, caller.id);
  if (!user) throw new DomainError("UNAUTHORIZED", "Account not found; sign in again");
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    disabledAt: user.disabledAt,
    createdAt: user.createdAt,
    sessionId: caller.sessionId,
    via: caller.sessionId ? ("session" as const) : ("apiKey" as const),
  };
}

export async function listSessions(deps: AppDeps, caller: AuthUser): Promise<SessionInfo[]> {
  const sessions = await q.listSessions(deps.db, caller.id);
  return sessions.map((s) => ({
    ...s,
    device: describeDevice(s.userAgent),
    current: s.id === caller.sessionId,
  }));
}

export async function revokeSession(
  deps: AppDeps,
  req: RequestMeta,
  caller: AuthUser,
  id: string,
): Promise<void> {
  const deleted = await q.deleteSession(deps.db, { id, userId: caller.id });
  // Another user's session looks exactly like a missing one.
  if (!deleted) throw new DomainError("NOT_FOUND", "Session not found");
  await forgetCredentials(deps, { sessionIds: [id] });
  if (id === caller.sessionId) clearRefreshCookie(req);
}

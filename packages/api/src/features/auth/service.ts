import { auth as q, twoFactor, users } from "@parley/db";
import { recordAudit } from "../../core/audit";
import {
  assertAllowedOrigin,
  clearRefreshCookie,
  readRefreshCookie,
  setRefreshCookie,
} from "../../core/auth/cookies";
import type { PublicUser, SessionInfo } from "../../core/auth/public-types";
import { createAccount } from "../../core/auth/registration";
import {
  beginTotpEnrolment,
  confirmTotp,
  isTwoFactorRequired,
  issueChallenge,
  readChallenge,
  verifySecondFactor,
  type ChallengePurpose,
  type SecondFactorInput,
  type TotpEnrolment,
} from "../../core/auth/second-factor";
import {
  accountDisabled,
  forgetCredentials,
  refreshSession,
  revokeSessions,
  sessionOfRefreshToken,
  startSession,
  type IssuedTokens,
} from "../../core/auth/sessions";
import type { AppDeps, AuthUser, RequestMeta } from "../../core/context";
import { DomainError, toDomainError } from "../../core/errors";
import { enforceRateLimit, rateLimitKeys } from "../../core/rate-limits";
import { describeDevice } from "./device";

/** What this feature reads of AppDeps. */
export type AuthFeatureDeps = Pick<
  AppDeps,
  "db" | "auth" | "keyRing" | "rateLimiter" | "sessionCache"
>;

export interface AuthPayload {
  user: PublicUser;
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** Present only when asked for in the body (desktop, tools); the web gets a cookie. */
  refreshToken?: string;
}

function deliver(
  deps: AuthFeatureDeps,
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
function checkOriginForCookie(
  deps: AuthFeatureDeps,
  req: RequestMeta,
  inBody: boolean | undefined,
) {
  if (!inBody) assertAllowedOrigin(req, deps.auth.config.allowedOrigins, { required: false });
}

const wrongCredentials = () => new DomainError("UNAUTHORIZED", "Wrong username, email or password");

/** The password step: the account when login and password match, else UNAUTHORIZED. Every
 * failure is audited (with the login typed when it names no account). */
async function verifyPassword(
  deps: AuthFeatureDeps,
  input: { login: string; password: string },
  req: RequestMeta,
): Promise<PublicUser> {
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

  // Per typed identifier *and* IP, counted before the account is looked up: an attacker
  // exhausts only their own budget for this login, so the owner signing in from elsewhere
  // is never locked out, and an unknown login spends exactly what an existing one does.
  const pairKey = rateLimitKeys.loginIdentifierIp(login, req.ip);
  await enforceRateLimit(
    limiter,
    req,
    pairKey,
    config.rateLimits.loginPerAccountAndIp,
    "Too many sign-in attempts for this login",
  );
  const credentials = await q.findCredentialsByLogin(
    deps.db,
    byEmail ? { email: login } : { username: login },
  );

  // Unknown users are checked against a dummy hash, so they take as long as wrong passwords.
  const ok = await passwords.verify(credentials?.passwordHash ?? null, input.password);
  if (!ok || !credentials) {
    await recordAudit(deps, req, {
      action: "sign_in.failed",
      userId: credentials?.id ?? null,
      actorId: null,
      details: credentials ? { reason: "wrong_password" } : { reason: "unknown_login", login },
    });
    throw wrongCredentials();
  }
  // Only after the password matched, so probing cannot learn which accounts are disabled.
  if (credentials.disabledAt) {
    await recordAudit(deps, req, {
      action: "sign_in.failed",
      userId: credentials.id,
      actorId: null,
      details: { reason: "disabled" },
    });
    throw accountDisabled("FORBIDDEN");
  }

  await limiter.reset(pairKey);
  const user = await users.findUserById(deps.db, credentials.id);
  if (!user) throw wrongCredentials();
  return user;
}

/** A session for a user who passed every step, audited with how they proved who they are. */
async function signIn(
  deps: AuthFeatureDeps,
  req: RequestMeta,
  user: PublicUser,
  method: string,
  inBody: boolean,
): Promise<AuthPayload> {
  const tokens = await startSession(deps, user, req);
  await recordAudit(deps, req, {
    action: "sign_in.ok",
    userId: user.id,
    actorId: user.id,
    details: { method, sessionId: tokens.sessionId },
  });
  return deliver(deps, req, user, tokens, inBody);
}

/**
 * The password step passed but no session is made yet: the answer is PRECONDITION_FAILED
 * carrying a short-lived signed challenge, which `auth.twoFactor.verify` (a code) or
 * `auth.twoFactor.setup*` (2FA required, none set up) exchanges for a session. Clients
 * that know nothing of 2FA see a clear error instead of a session.
 */
async function secondStepNeeded(deps: AuthFeatureDeps, userId: string, purpose: ChallengePurpose) {
  const { challenge, expiresAt } = await issueChallenge(deps.auth.config, userId, purpose);
  return new DomainError(
    "PRECONDITION_FAILED",
    purpose === "code"
      ? "Enter the code from your authenticator app"
      : "Set up two-factor sign-in to continue",
    { twoFactor: purpose, challenge, expiresAt: expiresAt.toISOString() },
  );
}

async function secondStepFor(
  deps: AuthFeatureDeps,
  userId: string,
): Promise<ChallengePurpose | null> {
  if (await twoFactor.isTotpEnabled(deps.db, userId)) return "code";
  if (await isTwoFactorRequired(deps)) return "setup";
  return null;
}

export async function register(
  deps: AuthFeatureDeps,
  req: RequestMeta,
  input: {
    username: string;
    email: string;
    password: string;
    inviteCode?: string | undefined;
    refreshTokenInBody?: boolean | undefined;
  },
): Promise<AuthPayload> {
  checkOriginForCookie(deps, req, input.refreshTokenInBody);
  const { config, passwords } = deps.auth;
  await enforceRateLimit(
    deps.rateLimiter,
    req,
    rateLimitKeys.registerIp(req.ip),
    config.rateLimits.registerPerIp,
    "Too many accounts created from this address",
  );
  const passwordHash = await passwords.hash(input.password);
  const user = await createAccount(deps, { ...input, passwordHash }, req, "password");
  const next = await secondStepFor(deps, user.id);
  if (next) throw await secondStepNeeded(deps, user.id, next);
  return signIn(deps, req, user, "register", input.refreshTokenInBody ?? false);
}

export async function logIn(
  deps: AuthFeatureDeps,
  req: RequestMeta,
  input: { login: string; password: string; refreshTokenInBody?: boolean | undefined },
): Promise<AuthPayload> {
  checkOriginForCookie(deps, req, input.refreshTokenInBody);
  const user = await verifyPassword(deps, input, req);
  const next = await secondStepFor(deps, user.id);
  if (next) throw await secondStepNeeded(deps, user.id, next);
  return signIn(deps, req, user, "password", input.refreshTokenInBody ?? false);
}

async function challengedUser(deps: AuthFeatureDeps, userId: string): Promise<PublicUser> {
  const user = await users.findUserById(deps.db, userId);
  if (!user) throw wrongCredentials();
  if (user.disabledAt) throw accountDisabled("FORBIDDEN");
  return user;
}

/** The second step: a TOTP code (each accepted once) or a recovery code. */
export async function verifyTwoFactorSignIn(
  deps: AuthFeatureDeps,
  req: RequestMeta,
  input: SecondFactorInput & { challenge: string; refreshTokenInBody?: boolean | undefined },
): Promise<AuthPayload> {
  checkOriginForCookie(deps, req, input.refreshTokenInBody);
  const userId = await readChallenge(deps.auth.config, input.challenge, "code");
  const user = await challengedUser(deps, userId);
  let method: string;
  try {
    method = await verifySecondFactor(deps, userId, input, req);
  } catch (error) {
    if (toDomainError(error)?.code === "BAD_REQUEST") {
      await recordAudit(deps, req, {
        action: "sign_in.failed",
        userId,
        actorId: null,
        details: { reason: input.recoveryCode ? "wrong_recovery_code" : "wrong_code" },
      });
    }
    throw error;
  }
  return signIn(deps, req, user, `password+${method}`, input.refreshTokenInBody ?? false);
}

/** 2FA is required and this account has none: the challenge lets it enrol, nothing else. */
export async function beginRequiredSetup(
  deps: AuthFeatureDeps,
  challenge: string,
): Promise<TotpEnrolment> {
  const user = await challengedUser(
    deps,
    await readChallenge(deps.auth.config, challenge, "setup"),
  );
  return beginTotpEnrolment(deps, user);
}

export async function confirmRequiredSetup(
  deps: AuthFeatureDeps,
  req: RequestMeta,
  input: { challenge: string; code: string; refreshTokenInBody?: boolean | undefined },
): Promise<AuthPayload & { recoveryCodes: string[] }> {
  checkOriginForCookie(deps, req, input.refreshTokenInBody);
  const userId = await readChallenge(deps.auth.config, input.challenge, "setup");
  const user = await challengedUser(deps, userId);
  const recoveryCodes = await confirmTotp(deps, userId, input.code, req);
  await recordAudit(deps, req, { action: "two_factor.enabled", userId, actorId: userId });
  const payload = await signIn(deps, req, user, "password+totp", input.refreshTokenInBody ?? false);
  return { ...payload, recoveryCodes };
}

/**
 * A new access token for a refresh token given in the body (answered in the body) or in
 * the cookie (answered with a new cookie; the request's Origin must be allowed).
 */
export async function refresh(
  deps: AuthFeatureDeps,
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
  deps: AuthFeatureDeps,
  req: RequestMeta,
  caller: AuthUser | null,
  fromBody: string | undefined,
): Promise<void> {
  let target = caller?.sessionId ? { userId: caller.id, sessionId: caller.sessionId } : null;
  if (!target && fromBody) target = await sessionOfRefreshToken(deps, fromBody);
  const cookie = readRefreshCookie(req);
  if (!target && cookie) {
    assertAllowedOrigin(req, deps.auth.config.allowedOrigins, { required: true });
    target = await sessionOfRefreshToken(deps, cookie);
  }
  if (target) {
    const { userId, sessionId } = target;
    const session = await q.findSessionById(deps.db, { userId, id: sessionId });
    await revokeSessions(deps, userId, [sessionId]);
    if (session) {
      await recordAudit(deps, req, {
        action: "sign_out",
        userId: session.userId,
        actorId: session.userId,
        details: { sessionId },
      });
    }
  }
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
export async function me(deps: AuthFeatureDeps, caller: AuthUser): Promise<Me> {
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

export async function listSessions(
  deps: AuthFeatureDeps,
  caller: AuthUser,
): Promise<SessionInfo[]> {
  const sessions = await q.listSessions(deps.db, caller.id);
  return sessions.map((s) => ({
    ...s,
    device: describeDevice(s.userAgent),
    current: s.id === caller.sessionId,
  }));
}

export async function revokeSession(
  deps: AuthFeatureDeps,
  req: RequestMeta,
  caller: AuthUser,
  id: string,
): Promise<void> {
  const deleted = await q.deleteSession(deps.db, { id, userId: caller.id });
  // Another user's session looks exactly like a missing one.
  if (!deleted) throw new DomainError("NOT_FOUND", "Session not found");
  await forgetCredentials(deps, { sessionIds: [id] });
  if (id === caller.sessionId) clearRefreshCookie(req);
  await recordAudit(deps, req, {
    action: "session.revoked",
    userId: caller.id,
    actorId: caller.id,
    details: { sessionId: id },
  });
}

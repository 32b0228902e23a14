import { auth as q, users } from "@parley/db";
import type { AppDeps, RequestMeta } from "../../core/context";
import { DomainError } from "../../core/errors";
import type { PublicUser } from "../../core/auth/public-types";
import { enforceRateLimit, rateLimitKeys } from "../../core/auth/rate-limits";
import {
  forgetCredentials,
  revokeUserCredentials,
  startSession,
  type IssuedTokens,
} from "../../core/auth/sessions";

export async function registerAccount(
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

export async function logIn(
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

/** Checks the caller's password before a sensitive change; rate limited per user. */
export async function reauthenticate(
  deps: AppDeps,
  userId: string,
  password: string,
  req: RequestMeta,
  field: string,
) {
  await enforceRateLimit(
    deps.rateLimiter,
    req,
    rateLimitKeys.reauthUser(userId),
    deps.auth.config.rateLimits.reauthPerUser,
    "Too many password attempts",
  );
  const row = await q.findPasswordHash(deps.db, userId);
  const ok = await deps.auth.passwords.verify(row?.passwordHash ?? null, password);
  if (!ok) throw new DomainError("BAD_REQUEST", "Password is incorrect", { field });
}

export async function changePassword(
  deps: AppDeps,
  caller: { id: string; sessionId: string | null },
  input: { current: string; next: string },
  req: RequestMeta,
): Promise<void> {
  await reauthenticate(deps, caller.id, input.current, req, "current");
  await users.setPasswordHash(deps.db, caller.id, await deps.auth.passwords.hash(input.next));
  // Whoever knew the old password is signed out everywhere except here. API keys stay: they
  // were created deliberately and are listed (and revocable) in the same settings page.
  await revokeUserCredentials(deps, caller.id, {
    keepSessionId: caller.sessionId,
    apiKeys: "keep",
  });
}

export async function deleteAccount(
  deps: AppDeps,
  userId: string,
  password: string,
  req: RequestMeta,
) {
  await reauthenticate(deps, userId, password, req, "password");
  const user = await users.findUserById(deps.db, userId);
  if (!user) throw new DomainError("NOT_FOUND", "Account not found");
  // The last admin may leave only when nobody else is left to administer.
  if (user.role === "admin" && (await users.countUsers(deps.db)) > 1)
    await assertAnotherAdminRemains(deps, userId);
  // Sessions and keys go with the user (cascade); the cache must forget them too.
  await revokeUserCredentials(deps, userId, { apiKeys: "forget" });
  await users.deleteUser(deps.db, userId);
}

export async function setUserRole(
  deps: AppDeps,
  userId: string,
  role: "user" | "admin",
): Promise<PublicUser> {
  const target = await users.findUserById(deps.db, userId);
  if (!target) throw new DomainError("NOT_FOUND", "User not found");
  if (target.role === "admin" && role === "user") await assertAnotherAdminRemains(deps, userId);
  const updated = await users.setRole(deps.db, userId, role);
  // Cached entries carry the role; dropping them makes the next request read the new one.
  const sessionIds = (await q.listSessions(deps.db, userId)).map((s) => s.id);
  const apiKeyHashes = await q.apiKeyHashesOfUser(deps.db, userId);
  await forgetCredentials(deps, { sessionIds, apiKeyHashes });
  return updated;
}

export async function setUserDisabled(
  deps: AppDeps,
  adminId: string,
  userId: string,
  disabled: boolean,
): Promise<PublicUser> {
  if (userId === adminId) {
    throw new DomainError("PRECONDITION_FAILED", "You cannot disable your own account", {
      field: "userId",
    });
  }
  const target = await users.findUserById(deps.db, userId);
  if (!target) throw new DomainError("NOT_FOUND", "User not found");
  if (disabled && target.role === "admin") await assertAnotherAdminRemains(deps, userId);
  const updated = await users.setDisabled(deps.db, userId, disabled);
  // Disabling acts at once: every session ends and every key is revoked.
  if (disabled) await revokeUserCredentials(deps, userId, { apiKeys: "revoke" });
  return updated;
}

async function assertAnotherAdminRemains(deps: AppDeps, userId: string) {
  const admins = await users.countAdmins(deps.db);
  const target = await users.findUserById(deps.db, userId);
  const targetCounts = target?.role === "admin" && !target.disabledAt ? 1 : 0;
  if (admins - targetCounts < 1) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      "Make another user an admin first: this is the last admin",
    );
  }
}

import { purgeUserObjects } from "../../core/files";
import { users } from "@parley/db";
import type { PublicUser, UserPage } from "../../core/auth/public-types";
import { reauthenticate } from "../../core/auth/reauthenticate";
import { clearRefreshCookie } from "../../core/auth/cookies";
import { forgetUserEntries, revokeUserCredentials } from "../../core/auth/sessions";
import { recordAudit } from "../../core/audit";
import type { AppDeps, RequestMeta } from "../../core/context";
import { DomainError } from "../../core/errors";
import { ADMIN_PAGE_MAX, type AdminListInput, type UpdateProfileInput } from "./schemas";

/** What this feature reads of AppDeps. */
export type UsersDeps = Pick<AppDeps, "db" | "auth" | "files" | "rateLimiter" | "sessionCache">;

export async function updateProfile(
  deps: UsersDeps,
  userId: string,
  input: UpdateProfileInput,
): Promise<PublicUser> {
  const updated = await users.updateUser(deps.db, userId, {
    ...(input.username !== undefined ? { username: input.username } : {}),
    ...(input.email !== undefined ? { email: input.email } : {}),
  });
  // Cached entries carry the account auth.me shows.
  await forgetUserEntries(deps, userId);
  return updated;
}

export function listUsers(deps: UsersDeps, input: AdminListInput): Promise<UserPage> {
  return users.listUsers(deps.db, {
    ...(input?.query ? { query: input.query } : {}),
    ...(input?.cursor ? { cursor: input.cursor } : {}),
    limit: input?.limit ?? ADMIN_PAGE_MAX,
  });
}

export async function changePassword(
  deps: UsersDeps,
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
  await recordAudit(deps, req, {
    action: "password.changed",
    userId: caller.id,
    actorId: caller.id,
  });
}

export async function deleteAccount(
  deps: UsersDeps,
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
  // Its file rows went with it (cascade); the encrypted objects are deleted from the store.
  await purgeUserObjects(deps.files, userId);
  clearRefreshCookie(req);
  // Kept after the account is gone (no foreign key), until the retention sweep.
  await recordAudit(deps, req, {
    action: "account.deleted",
    userId,
    actorId: userId,
    details: { username: user.username },
  });
}

export async function setUserRole(
  deps: UsersDeps,
  adminId: string,
  userId: string,
  role: "user" | "admin",
  req: RequestMeta,
): Promise<PublicUser> {
  const target = await users.findUserById(deps.db, userId);
  if (!target) throw new DomainError("NOT_FOUND", "User not found");
  if (target.role === "admin" && role === "user") await assertAnotherAdminRemains(deps, userId);
  const updated = await users.setRole(deps.db, userId, role);
  // Cached entries carry the role; dropping them makes the next request read the new one.
  await forgetUserEntries(deps, userId);
  if (target.role !== role) {
    await recordAudit(deps, req, {
      action: "user.role_changed",
      userId,
      actorId: adminId,
      details: { from: target.role, to: role },
    });
  }
  return updated;
}

export async function setUserDisabled(
  deps: UsersDeps,
  adminId: string,
  userId: string,
  disabled: boolean,
  req: RequestMeta,
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
  // Disabling acts at once: every session ends and every key is revoked (and re-enabling
  // must not be served the flag cached before).
  if (disabled) await revokeUserCredentials(deps, userId, { apiKeys: "revoke" });
  else await forgetUserEntries(deps, userId);
  if (Boolean(target.disabledAt) !== disabled) {
    await recordAudit(deps, req, {
      action: disabled ? "user.disabled" : "user.enabled",
      userId,
      actorId: adminId,
    });
  }
  return updated;
}

async function assertAnotherAdminRemains(deps: UsersDeps, userId: string) {
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

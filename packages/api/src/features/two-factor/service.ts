import { twoFactor as q, users } from "@parley/db";
import { recordAudit } from "../../core/audit";
import { reauthenticate } from "../../core/auth/reauthenticate";
import {
  beginTotpEnrolment,
  confirmTotp,
  isTwoFactorRequired,
  regenerateRecoveryCodes,
  setTwoFactorRequired,
  verifySecondFactor,
  type SecondFactorInput,
  type TotpEnrolment,
} from "../../core/auth/second-factor";
import { revokeUserCredentials } from "../../core/auth/sessions";
import type { AppDeps, RequestMeta } from "../../core/context";
import { DomainError } from "../../core/errors";

/** What this feature reads of AppDeps. */
export type TwoFactorDeps = Pick<
  AppDeps,
  "db" | "auth" | "keyRing" | "rateLimiter" | "sessionCache"
>;

export interface TwoFactorStatus {
  enabled: boolean;
  /** Enrolment started and awaiting its confirmation code. */
  pending: boolean;
  recoveryCodesLeft: number;
  /** An admin requires two-factor sign-in for everyone. */
  required: boolean;
}

export async function twoFactorStatus(
  deps: TwoFactorDeps,
  userId: string,
): Promise<TwoFactorStatus> {
  const row = await q.findTotp(deps.db, userId);
  return {
    enabled: Boolean(row?.enabledAt),
    pending: Boolean(row && !row.enabledAt),
    recoveryCodesLeft: row?.enabledAt ? await q.countUnusedRecoveryCodes(deps.db, userId) : 0,
    required: await isTwoFactorRequired(deps),
  };
}

export async function beginEnrolment(deps: TwoFactorDeps, userId: string): Promise<TotpEnrolment> {
  const user = await users.findUserById(deps.db, userId);
  if (!user) throw new DomainError("NOT_FOUND", "Account not found");
  return beginTotpEnrolment(deps, user);
}

export async function confirmEnrolment(
  deps: TwoFactorDeps,
  userId: string,
  code: string,
  req: RequestMeta,
): Promise<{ recoveryCodes: string[] }> {
  const recoveryCodes = await confirmTotp(deps, userId, code, req);
  await recordAudit(deps, req, { action: "two_factor.enabled", userId, actorId: userId });
  return { recoveryCodes };
}

/** Needs the password and a current code (or a recovery code), so a borrowed unlocked
 * session cannot turn the second factor off. */
export async function disableTwoFactor(
  deps: TwoFactorDeps,
  userId: string,
  input: SecondFactorInput & { password: string },
  req: RequestMeta,
): Promise<void> {
  if (await isTwoFactorRequired(deps))
    throw new DomainError("PRECONDITION_FAILED", "An admin requires two-factor sign-in");
  await reauthenticate(deps, userId, input.password, req, "password");
  const method = await verifySecondFactor(deps, userId, input, req);
  await q.deleteTotp(deps.db, userId);
  await recordAudit(deps, req, {
    action: "two_factor.disabled",
    userId,
    actorId: userId,
    details: { method },
  });
}

export async function renewRecoveryCodes(
  deps: TwoFactorDeps,
  userId: string,
  input: SecondFactorInput,
  req: RequestMeta,
): Promise<{ recoveryCodes: string[] }> {
  await verifySecondFactor(deps, userId, input, req);
  const recoveryCodes = await regenerateRecoveryCodes(deps, userId);
  await recordAudit(deps, req, {
    action: "two_factor.recovery_codes_regenerated",
    userId,
    actorId: userId,
  });
  return { recoveryCodes };
}

/**
 * Requiring 2FA signs out everyone who has no authenticator yet: their next sign-in asks
 * them to set one up. The admin must have one first, so they cannot lock themselves out.
 */
export async function setRequired(
  deps: TwoFactorDeps,
  adminId: string,
  required: boolean,
  req: RequestMeta,
): Promise<{ required: boolean }> {
  if (required && !(await q.isTotpEnabled(deps.db, adminId))) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      "Turn on two-factor sign-in for your own account first",
    );
  }
  await setTwoFactorRequired(deps, required);
  if (required) {
    for (const userId of await q.usersWithoutTotp(deps.db))
      await revokeUserCredentials(deps, userId, { apiKeys: "keep" });
  }
  await recordAudit(deps, req, {
    action: "two_factor.required_changed",
    userId: adminId,
    actorId: adminId,
    details: { required },
  });
  return { required };
}

import { randomBytes } from "node:crypto";
import { registration as q, users } from "@parley/db";
import { recordAudit } from "../../core/audit";
import { hashInvitationCode, type RegistrationMode } from "../../core/auth/registration";
import type { AppDeps, RequestMeta } from "../../core/context";
import { DomainError } from "../../core/errors";

/** What this feature reads of AppDeps. */
export type RegistrationDeps = Pick<AppDeps, "db" | "auth" | "oidc">;

export interface SignUpInfo {
  mode: RegistrationMode;
  /** No account exists yet: the next one to register becomes the admin. */
  firstAccount: boolean;
  /** Single sign-on through the configured OpenID provider. */
  sso: { enabled: boolean; label: string | null };
}

export async function signUpInfo(deps: RegistrationDeps): Promise<SignUpInfo> {
  return {
    mode: deps.auth.config.registration,
    firstAccount: (await users.countUsers(deps.db)) === 0,
    sso: { enabled: Boolean(deps.oidc), label: deps.oidc?.label ?? null },
  };
}

export interface InvitationInfo {
  id: string;
  email: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  status: "open" | "used" | "revoked" | "expired";
}

function describe(row: Awaited<ReturnType<typeof q.createInvitation>>): InvitationInfo {
  const status = row.usedAt
    ? "used"
    : row.revokedAt
      ? "revoked"
      : row.expiresAt <= new Date()
        ? "expired"
        : "open";
  return {
    id: row.id,
    email: row.email,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    usedAt: row.usedAt,
    revokedAt: row.revokedAt,
    status,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The code is in this return value only; the database keeps its hash. */
export async function createInvitation(
  deps: RegistrationDeps,
  adminId: string,
  input: { email?: string | undefined; days: number },
  req: RequestMeta,
): Promise<{ invitation: InvitationInfo; code: string }> {
  const code = randomBytes(18).toString("base64url");
  const row = await q.createInvitation(deps.db, {
    codeHash: hashInvitationCode(code),
    email: input.email ?? null,
    createdBy: adminId,
    expiresAt: new Date(Date.now() + input.days * DAY_MS),
  });
  await recordAudit(deps, req, {
    action: "invitation.created",
    userId: adminId,
    actorId: adminId,
    details: { invitationId: row.id, email: row.email },
  });
  return { invitation: describe(row), code };
}

export async function listInvitations(deps: RegistrationDeps): Promise<InvitationInfo[]> {
  return (await q.listInvitations(deps.db, 200)).map(describe);
}

export async function revokeInvitation(
  deps: RegistrationDeps,
  adminId: string,
  id: string,
  req: RequestMeta,
): Promise<void> {
  if (!(await q.revokeInvitation(deps.db, id)))
    throw new DomainError("NOT_FOUND", "Invitation not found or already used");
  await recordAudit(deps, req, {
    action: "invitation.revoked",
    userId: adminId,
    actorId: adminId,
    details: { invitationId: id },
  });
}

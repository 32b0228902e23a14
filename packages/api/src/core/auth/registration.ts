import { auth, registration as q, type Database } from "@parley/db";
import { recordAudit } from "../audit";
import type { AppDeps, RequestMeta } from "../context";
import { DomainError } from "../errors";
import type { PublicUser } from "./public-types";
import { sha256Hex } from "./tokens";

/**
 * Who may create an account (REGISTRATION): `open` lets anyone, `invite` needs an admin's
 * invitation, `closed` nobody. In every mode the very first account may be made (and becomes
 * the admin), or an instance could never be set up.
 */
export type RegistrationMode = "open" | "invite" | "closed";

export const hashInvitationCode = (code: string) => sha256Hex(`parley-invite:${code.trim()}`);

/** An invitation reserved for one registration; `release` gives it back if that fails. */
export interface InvitationClaim {
  id: string;
  release(): Promise<void>;
  bind(userId: string): Promise<void>;
}

/**
 * Checks an invitation before the account is created: it must be usable and, when bound to
 * an email, be used with that address. Claiming marks it used at once, so two registrations
 * racing with one code cannot both pass.
 */
export async function claimInvitation(
  db: Database,
  code: string | undefined,
  email: string,
): Promise<InvitationClaim> {
  const invalid = () =>
    new DomainError("FORBIDDEN", "This invitation is not valid, was used or has expired", {
      field: "inviteCode",
    });
  if (!code) throw invitationNeeded();
  const invitation = await q.findUsableInvitation(db, hashInvitationCode(code));
  if (!invitation) throw invalid();
  if (invitation.email && invitation.email !== email.toLowerCase()) {
    throw new DomainError("FORBIDDEN", "This invitation is for another email address", {
      field: "email",
    });
  }
  if (!(await q.claimInvitation(db, invitation.id))) throw invalid();
  return {
    id: invitation.id,
    release: () => q.releaseInvitation(db, invitation.id),
    bind: (userId) => q.bindInvitation(db, invitation.id, userId),
  };
}

const invitationNeeded = () =>
  new DomainError("FORBIDDEN", "Registration needs an invitation from an admin", {
    field: "inviteCode",
  });

export const registrationClosed = () =>
  new DomainError("FORBIDDEN", "Registration is closed on this server; ask an admin");

/**
 * Creates an account under the REGISTRATION policy, for password sign-up and single sign-on
 * alike. The first account becomes the admin (as does ADMIN_EMAIL); whether it is the first
 * is decided under a lock, so the policy cannot be raced on an empty database.
 */
export async function createAccount(
  deps: Pick<AppDeps, "db" | "auth">,
  input: { username: string; email: string; passwordHash: string; inviteCode?: string | undefined },
  req: RequestMeta,
  via: "password" | "oidc",
): Promise<PublicUser> {
  const { registration: mode, adminEmail } = deps.auth.config;
  const claim =
    mode === "invite" && input.inviteCode
      ? await claimInvitation(deps.db, input.inviteCode, input.email)
      : null;
  try {
    const user = await auth.createUserDecidingRole(
      deps.db,
      { username: input.username, email: input.email, passwordHash: input.passwordHash },
      (isFirstUser) => {
        if (!isFirstUser && mode === "closed") throw registrationClosed();
        if (!isFirstUser && mode === "invite" && !claim) throw invitationNeeded();
        return isFirstUser || input.email === adminEmail?.toLowerCase() ? "admin" : "user";
      },
    );
    await claim?.bind(user.id);
    await recordAudit(deps, req, {
      action: "account.created",
      userId: user.id,
      actorId: user.id,
      details: { via, role: user.role, ...(claim ? { invitationId: claim.id } : {}) },
    });
    return user;
  } catch (error) {
    await claim?.release();
    throw error;
  }
}

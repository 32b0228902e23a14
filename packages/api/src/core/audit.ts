import { audit as q, type Database } from "@parley/db";

/**
 * The security events kept in the audit log. Any feature records one with `recordAudit`
 * (features never import each other, so the writer lives in core); the audit feature lists
 * them and sweeps old ones.
 */
export const AUDIT_ACTIONS = [
  "account.created",
  "account.deleted",
  "sign_in.ok",
  "sign_in.failed",
  "sign_out",
  "refresh_token.reused",
  "session.revoked",
  "password.changed",
  "two_factor.enabled",
  "two_factor.disabled",
  "two_factor.recovery_codes_regenerated",
  "two_factor.required_changed",
  "api_key.created",
  "api_key.revoked",
  "user.role_changed",
  "user.disabled",
  "user.enabled",
  "user.quota_changed",
  "oidc.linked",
  "invitation.created",
  "invitation.revoked",
  "provider.created",
  "provider.updated",
  "provider.deleted",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Where a request came from; RequestMeta satisfies it. */
export interface AuditOrigin {
  ip: string;
  userAgent: string | null;
}

export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  action: AuditAction;
  /** The account the event is about; null when a failed sign-in named no account. */
  userId: string | null;
  /** Who acted: the subject themselves, an admin, or null when nobody signed in did. */
  actorId: string | null;
  /** Small, client-safe facts (method, reason, key name). Never a secret. */
  details?: AuditDetails;
}

const IP_MAX = 64;
const USER_AGENT_MAX = 512;
const DETAIL_MAX = 200;

export async function recordAudit(
  deps: { db: Database },
  origin: AuditOrigin | null,
  entry: AuditEntry,
): Promise<void> {
  await q.insertAuditEvent(deps.db, {
    userId: entry.userId ?? q.NO_ACCOUNT,
    actorId: entry.actorId,
    action: entry.action,
    ip: origin?.ip.slice(0, IP_MAX) || null,
    userAgent: origin?.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
    ...(entry.details ? { details: boundedDetails(entry.details) } : {}),
  });
}

/** Details may carry what a client typed (a login name): bounded so a row stays small. */
function boundedDetails(details: AuditDetails): AuditDetails {
  const out: AuditDetails = {};
  for (const [key, value] of Object.entries(details))
    out[key] = typeof value === "string" ? value.slice(0, DETAIL_MAX) : value;
  return out;
}

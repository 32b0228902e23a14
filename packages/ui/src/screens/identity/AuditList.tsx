import type { AuditAction, AuditEventInfo } from "@parley/api";
import { formatDate, useLanguage, useT, type MessageKey } from "../../i18n";

/** One label per action; typed by the API's list, so a new action cannot go unlabelled. */
export const AUDIT_ACTION_LABELS: Record<AuditAction, MessageKey> = {
  "account.created": "audit.action.account.created",
  "account.deleted": "audit.action.account.deleted",
  "sign_in.ok": "audit.action.sign_in.ok",
  "sign_in.failed": "audit.action.sign_in.failed",
  sign_out: "audit.action.sign_out",
  "refresh_token.reused": "audit.action.refresh_token.reused",
  "session.revoked": "audit.action.session.revoked",
  "password.changed": "audit.action.password.changed",
  "two_factor.enabled": "audit.action.two_factor.enabled",
  "two_factor.disabled": "audit.action.two_factor.disabled",
  "two_factor.recovery_codes_regenerated": "audit.action.two_factor.recovery_codes_regenerated",
  "two_factor.required_changed": "audit.action.two_factor.required_changed",
  "api_key.created": "audit.action.api_key.created",
  "api_key.revoked": "audit.action.api_key.revoked",
  "user.role_changed": "audit.action.user.role_changed",
  "user.disabled": "audit.action.user.disabled",
  "user.enabled": "audit.action.user.enabled",
  "user.quota_changed": "audit.action.user.quota_changed",
  "oidc.linked": "audit.action.oidc.linked",
  "invitation.created": "audit.action.invitation.created",
  "invitation.revoked": "audit.action.invitation.revoked",
  "provider.created": "audit.action.provider.created",
  "provider.updated": "audit.action.provider.updated",
  "provider.deleted": "audit.action.provider.deleted",
};

export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTION_LABELS) as AuditAction[];

/** Audit events as a list: what happened, when, from where, and who did it. */
export function AuditList({
  events,
  showSubject,
  label,
}: {
  events: AuditEventInfo[];
  showSubject: boolean;
  label: string;
}) {
  const t = useT();
  const language = useLanguage();
  if (!events.length) return <p className="text-sm text-fg-soft">{t("audit.empty")}</p>;
  return (
    <ul className="flex flex-col gap-2" aria-label={label}>
      {events.map((event) => {
        const otherActor =
          event.actor && event.subject && event.actor.id !== event.subject.id ? event.actor : null;
        return (
          <li
            key={event.id}
            data-action={event.action}
            className="rounded-xl border border-line bg-surface p-3 text-sm"
          >
            <p className="font-medium">{t(AUDIT_ACTION_LABELS[event.action])}</p>
            <p className="text-xs text-fg-soft">
              {formatDate(language, event.createdAt)} · {event.ip ?? "—"}
            </p>
            {event.userAgent ? (
              <p className="truncate text-xs text-fg-soft" title={event.userAgent}>
                {event.userAgent}
              </p>
            ) : null}
            {showSubject ? (
              <p className="text-xs text-fg-soft">
                {t("audit.subject")}:{" "}
                {event.subject
                  ? (event.subject.username ?? event.subject.id)
                  : t("audit.noAccount", { login: String(event.details?.login ?? "") })}
              </p>
            ) : null}
            {otherActor ? (
              <p className="text-xs text-fg-soft">
                {t("audit.by", { name: otherActor.username ?? otherActor.id })}
              </p>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

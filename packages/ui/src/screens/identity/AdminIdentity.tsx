import type { AuditAction } from "@parley/api";
import { useId, useState, type FormEvent } from "react";
import { trpc } from "../../api/client";
import { fieldErrors } from "../../api/errors";
import { Alert, Button, LoadMoreButton, TextField } from "../../components/ui";
import { formatDate, useLanguage, useT, type MessageKey } from "../../i18n";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { AUDIT_ACTION_LABELS, AUDIT_ACTION_NAMES, AuditList } from "./AuditList";

/** Instance-wide sign-in rules: 2FA for everyone, invitations. */
export function AdminSignInRules() {
  const t = useT();
  const utils = trpc.useUtils();
  const status = trpc.twoFactor.status.useQuery();
  const setRequired = trpc.twoFactor.setRequired.useMutation({
    onSuccess: () => utils.twoFactor.status.invalidate(),
  });
  const required = status.data?.required ?? false;
  return (
    <section className="flex flex-col gap-3" aria-labelledby="admin-2fa">
      <h2 id="admin-2fa" className="text-lg font-semibold">
        {t("admin.signInRules")}
      </h2>
      {setRequired.error ? <Alert>{setRequired.error.message}</Alert> : null}
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={required}
          disabled={!status.data || setRequired.isPending}
          onChange={(e) => setRequired.mutate({ required: e.target.checked })}
        />
        {t("admin.require2fa")}
      </label>
      <p className="text-xs text-fg-soft">{t("admin.require2faHint")}</p>
      <Invitations />
    </section>
  );
}

function Invitations() {
  const t = useT();
  const language = useLanguage();
  const utils = trpc.useUtils();
  const info = trpc.registration.info.useQuery();
  const list = trpc.registration.invitations.list.useQuery();
  const [email, setEmail] = useState("");
  const [link, setLink] = useState<string | null>(null);
  const create = trpc.registration.invitations.create.useMutation({
    onSuccess: (result) => {
      setEmail("");
      setLink(`${window.location.origin}/?invite=${encodeURIComponent(result.code)}`);
      void utils.registration.invitations.list.invalidate();
    },
  });
  const revoke = trpc.registration.invitations.revoke.useMutation({
    onSuccess: () => utils.registration.invitations.list.invalidate(),
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ ...(email.trim() ? { email: email.trim() } : {}), days: 7 });
  };
  return (
    <div className="flex flex-col gap-3">
      <h3 className="font-medium">{t("admin.invitations")}</h3>
      <p className="text-xs text-fg-soft">
        {t("admin.registrationMode", {
          mode: info.data ? t(`admin.mode.${info.data.mode}` as MessageKey) : "…",
        })}
      </p>
      <form className="flex max-w-md flex-wrap items-end gap-2" onSubmit={submit} noValidate>
        <TextField
          className="min-w-0 flex-1"
          label={t("admin.inviteEmail")}
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.fields.email ?? errors.form ?? undefined}
          maxLength={255}
        />
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {t("admin.invite")}
        </Button>
      </form>
      {link ? (
        <Alert tone="success">
          {t("admin.inviteLink")}{" "}
          <code data-testid="invite-link" className="break-all">
            {link}
          </code>
        </Alert>
      ) : null}
      {revoke.error ? <Alert>{revoke.error.message}</Alert> : null}
      <ul className="flex flex-col gap-1 text-sm" aria-label={t("admin.invitations")}>
        {list.data?.map((invitation) => (
          <li key={invitation.id} className="flex items-center justify-between gap-2">
            <span>
              {invitation.email ?? t("admin.anyEmail")} ·{" "}
              {t(`admin.invitation.${invitation.status}` as MessageKey)} ·{" "}
              {formatDate(language, invitation.expiresAt)}
            </span>
            {invitation.status === "open" ? (
              <Button
                size="sm"
                onClick={() => revoke.mutate({ id: invitation.id })}
                disabled={revoke.isPending}
              >
                {t("settings.revokeAccess")}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Every account's security events, filtered by account, action and address. */
export function AdminAuditLog({
  userFilter,
  onClearUser,
}: {
  userFilter: { id: string; username: string } | null;
  onClearUser: () => void;
}) {
  const t = useT();
  const actionId = useId();
  const [action, setAction] = useState<AuditAction | "">("");
  const [ip, setIp] = useState("");
  const debouncedIp = useDebouncedValue(ip.trim(), 300);
  const events = trpc.audit.list.useInfiniteQuery(
    {
      ...(userFilter ? { userId: userFilter.id } : {}),
      ...(action ? { actions: [action] } : {}),
      ...(debouncedIp ? { ip: debouncedIp } : {}),
    },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="flex flex-col gap-3" aria-labelledby="admin-audit">
      <h2 id="admin-audit" className="text-lg font-semibold">
        {t("admin.auditLog")}
      </h2>
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={actionId} className="text-sm font-medium">
            {t("admin.auditAction")}
          </label>
          <select
            id={actionId}
            value={action}
            onChange={(e) => setAction(e.target.value as AuditAction | "")}
            className="h-10 rounded-lg border border-line bg-surface px-2 text-sm"
          >
            <option value="">{t("admin.auditAllActions")}</option>
            {AUDIT_ACTION_NAMES.map((name) => (
              <option key={name} value={name}>
                {t(AUDIT_ACTION_LABELS[name])}
              </option>
            ))}
          </select>
        </div>
        <TextField
          label={t("settings.ip")}
          value={ip}
          onChange={(e) => setIp(e.target.value)}
          maxLength={64}
        />
        {userFilter ? (
          <Button onClick={onClearUser}>
            {t("admin.auditClearUser", { name: userFilter.username })}
          </Button>
        ) : null}
      </div>
      {events.isError ? <Alert>{events.error.message}</Alert> : null}
      {events.isSuccess ? (
        <AuditList events={items} showSubject label={t("admin.auditLog")} />
      ) : null}
      <LoadMoreButton pages={events} label={t("sidebar.loadMore")} className="self-start" />
    </section>
  );
}

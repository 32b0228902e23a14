import { errorText } from "../../api/errors";
import { trpc } from "../../api/client";
import { Alert, Button } from "../../components/ui";
import { formatDate, useLanguage, useT } from "../../i18n";
import { useSession } from "../../lib/session";

export function SessionsSettings() {
  const t = useT();
  const language = useLanguage();
  const session = useSession();
  const utils = trpc.useUtils();
  const sessions = trpc.auth.sessions.list.useQuery();
  const revoke = trpc.auth.sessions.revoke.useMutation({
    onSuccess: (_data, input) => {
      if (sessions.data?.find((s) => s.id === input.id)?.current) session.expire();
      else void utils.auth.sessions.list.invalidate();
    },
  });
  if (sessions.isError) return <Alert>{errorText(sessions.error, t)}</Alert>;
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-fg-soft">{t("settings.sessionsHint")}</p>
      {revoke.error ? <Alert>{errorText(revoke.error, t)}</Alert> : null}
      <ul className="flex flex-col gap-2" aria-label={t("settings.sessions")}>
        {sessions.data?.length === 0 ? (
          <li className="text-sm text-fg-soft">{t("settings.noSessions")}</li>
        ) : null}
        {sessions.data?.map((s) => (
          <li
            key={s.id}
            className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-line bg-surface p-3"
          >
            <div className="min-w-0">
              <p className="font-medium">
                {s.device || t("settings.unknownDevice")}
                {s.current ? (
                  <span className="ml-2 rounded-full bg-accent/15 px-2 py-0.5 text-xs text-accent">
                    {t("settings.current")}
                  </span>
                ) : null}
              </p>
              <p className="text-xs text-fg-soft">
                {t("settings.ip")}: {s.ip ?? "—"} · {t("settings.created")}:{" "}
                {formatDate(language, s.createdAt)} · {t("settings.lastUsed")}:{" "}
                {s.lastUsedAt ? formatDate(language, s.lastUsedAt) : t("common.never")}
              </p>
            </div>
            <Button
              size="sm"
              variant={s.current ? "danger" : "secondary"}
              onClick={() => revoke.mutate({ id: s.id })}
              disabled={revoke.isPending}
            >
              {s.current ? t("auth.signOut") : t("settings.revoke")}
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}

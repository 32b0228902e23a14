import { useId, useState } from "react";
import { trpc } from "../api/client";
import { errorCode, errorText } from "../api/errors";
import { Alert, Button, LoadMoreButton } from "../components/ui";
import { formatDate, formatNumber, useLanguage, useT } from "../i18n";
import { useDebouncedValue } from "../lib/useDebouncedValue";
import { AdminQuota } from "./AdminQuota";
import { AdminAuditLog, AdminSignInRules } from "./identity/AdminIdentity";
import { displayModel } from "../lib/models";

export function AdminScreen() {
  const t = useT();
  const language = useLanguage();
  const searchId = useId();
  const [query, setQuery] = useState("");
  const [auditUser, setAuditUser] = useState<{ id: string; username: string } | null>(null);
  const deferredQuery = useDebouncedValue(query.trim(), 250);
  const utils = trpc.useUtils();
  const me = trpc.auth.me.useQuery();
  const users = trpc.user.admin.list.useInfiniteQuery(
    { ...(deferredQuery ? { query: deferredQuery } : {}) },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const setRole = trpc.user.admin.setRole.useMutation({
    onSuccess: () => utils.user.admin.list.invalidate(),
  });
  const setDisabled = trpc.user.admin.setDisabled.useMutation({
    onSuccess: () => utils.user.admin.list.invalidate(),
  });
  const mutationError = setRole.error ?? setDisabled.error;

  if (errorCode(users.error) === "FORBIDDEN") {
    return (
      <div className="mx-auto max-w-3xl p-6">
        <Alert>{t("admin.forbidden")}</Alert>
      </div>
    );
  }
  const rows = users.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="mx-auto flex w-full max-w-4xl flex-col gap-4 px-4 py-6">
      {/* On a phone the screen's top bar (AppShell) carries the title beside Back. */}
      <h1 className="hidden text-xl font-semibold md:block">{t("admin.title")}</h1>
      <div className="flex flex-col gap-1">
        <label htmlFor={searchId} className="text-sm font-medium">
          {t("admin.search")}
        </label>
        <input
          id={searchId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          maxLength={255}
          className="h-10 max-w-sm rounded-lg border border-line bg-surface px-3 text-sm"
        />
      </div>
      {mutationError ? <Alert>{errorText(mutationError, t)}</Alert> : null}
      {users.isError ? <Alert>{errorText(users.error, t)}</Alert> : null}
      <ul className="flex flex-col gap-2" aria-label={t("admin.title")}>
        {users.isSuccess && rows.length === 0 ? (
          <li className="text-sm text-fg-soft">{t("admin.noUsers")}</li>
        ) : null}
        {rows.map((user) => {
          const self = user.id === me.data?.id;
          return (
            <li
              key={user.id}
              className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-line bg-surface p-3"
            >
              <div className="min-w-0">
                <p className="font-medium">
                  {user.username}
                  {user.disabledAt ? (
                    <span className="ml-2 rounded-full bg-danger/15 px-2 py-0.5 text-xs text-danger">
                      {t("admin.disabled")}
                    </span>
                  ) : null}
                </p>
                <p className="truncate text-xs text-fg-soft">
                  {user.email} · {formatDate(language, user.createdAt)}
                </p>
              </div>
              <div className="flex items-center gap-2">
                <label
                  className="sr-only"
                  htmlFor={`role-${user.id}`}
                >{`${t("admin.role")}: ${user.username}`}</label>
                <select
                  id={`role-${user.id}`}
                  value={user.role}
                  disabled={self || setRole.isPending}
                  onChange={(e) =>
                    setRole.mutate({ userId: user.id, role: e.target.value as "user" | "admin" })
                  }
                  className="h-8 rounded-md border border-line bg-surface px-2 text-sm"
                >
                  <option value="user">{t("admin.roleUser")}</option>
                  <option value="admin">{t("admin.roleAdmin")}</option>
                </select>
                <Button
                  size="sm"
                  variant={user.disabledAt ? "secondary" : "danger"}
                  disabled={self || setDisabled.isPending}
                  aria-label={`${user.disabledAt ? t("admin.enable") : t("admin.disable")}: ${user.username}`}
                  onClick={() =>
                    setDisabled.mutate({ userId: user.id, disabled: !user.disabledAt })
                  }
                >
                  {user.disabledAt ? t("admin.enable") : t("admin.disable")}
                </Button>
                <Button
                  size="sm"
                  aria-label={`${t("admin.activity")}: ${user.username}`}
                  onClick={() => setAuditUser({ id: user.id, username: user.username })}
                >
                  {t("admin.activity")}
                </Button>
              </div>
              <div className="w-full">
                <AdminQuota userId={user.id} username={user.username} />
              </div>
            </li>
          );
        })}
      </ul>
      <LoadMoreButton pages={users} label={t("sidebar.loadMore")} className="self-start" />
      <AdminFeedback />
      <AdminSignInRules />
      <AdminAuditLog userFilter={auditUser} onClearUser={() => setAuditUser(null)} />
    </div>
  );
}

/** How replies were rated, per model, over everyone: counts only. */
function AdminFeedback() {
  const t = useT();
  const language = useLanguage();
  const counts = trpc.feedback.counts.useQuery(undefined, { staleTime: 10_000 });
  const number = (n: number) => formatNumber(language, n);
  return (
    <section className="flex flex-col gap-2" aria-labelledby="admin-feedback">
      <h2 id="admin-feedback" className="text-lg font-semibold">
        {t("admin.feedback")}
      </h2>
      {counts.isError ? <Alert>{errorText(counts.error, t)}</Alert> : null}
      {counts.data && counts.data.perModel.length === 0 ? (
        <p className="text-sm text-fg-soft">{t("admin.feedbackEmpty")}</p>
      ) : null}
      {counts.data && counts.data.perModel.length ? (
        <div className="overflow-x-auto">
          <table className="w-full max-w-xl text-sm" data-testid="feedback-counts">
            <thead className="text-left text-fg-soft">
              <tr>
                <th className="py-1 pr-4 font-medium">{t("usage.model")}</th>
                <th className="py-1 pr-4 text-right font-medium">{t("admin.feedbackUp")}</th>
                <th className="py-1 text-right font-medium">{t("admin.feedbackDown")}</th>
              </tr>
            </thead>
            <tbody>
              {counts.data.perModel.map((row) => (
                <tr key={row.model ?? ""} className="border-t border-line">
                  <td className="py-1 pr-4">
                    {row.model ? displayModel(row.model) : t("admin.feedbackNoModel")}
                  </td>
                  <td className="py-1 pr-4 text-right tabular-nums">{number(row.up)}</td>
                  <td className="py-1 text-right tabular-nums">{number(row.down)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr className="border-t border-line font-medium">
                <td className="py-1 pr-4">{t("admin.feedbackTotal")}</td>
                <td className="py-1 pr-4 text-right tabular-nums">
                  {number(counts.data.total.up)}
                </td>
                <td className="py-1 text-right tabular-nums">{number(counts.data.total.down)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      ) : null}
    </section>
  );
}

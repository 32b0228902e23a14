import { useId, useState } from "react";
import { trpc } from "../api/client";
import { errorText } from "../api/errors";
import { Alert, Button } from "../components/ui";
import { useLanguage, useT } from "../i18n";

/** One user's daily token quota: their override, or the server's default, to change. */
export function AdminQuota({ userId, username }: { userId: string; username: string }) {
  const t = useT();
  const language = useLanguage();
  const inputId = useId();
  const utils = trpc.useUtils();
  const usage = trpc.user.admin.usage.useQuery();
  const row = usage.data?.users.find((u) => u.userId === userId);
  const override = row ? row.quotaOverride : null;
  const fallback = usage.data?.defaultTokensPerDay ?? 0;
  const [draft, setDraft] = useState<string | null>(null);
  const setQuota = trpc.user.admin.setQuota.useMutation({
    onSuccess: () => {
      setDraft(null);
      void utils.user.admin.usage.invalidate();
    },
  });
  const format = (n: number) =>
    n === 0
      ? t("usage.noLimit")
      : new Intl.NumberFormat(language === "ru" ? "ru-RU" : "en-US").format(n);
  const current =
    override === null
      ? t("admin.quotaDefault", { quota: format(fallback) })
      : t("admin.quotaOverride", { quota: format(override) });
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        const value = (draft ?? "").trim();
        setQuota.mutate({ userId, tokensPerDay: value === "" ? null : Number(value) });
      }}
    >
      <label htmlFor={inputId} className="sr-only">{`${t("admin.quota")}: ${username}`}</label>
      <input
        id={inputId}
        type="number"
        min={0}
        step={1}
        inputMode="numeric"
        placeholder={String(fallback)}
        value={draft ?? (override === null ? "" : String(override))}
        onChange={(e) => setDraft(e.target.value)}
        className="h-8 w-32 rounded-md border border-line bg-surface px-2 text-sm"
      />
      <Button size="sm" type="submit" disabled={setQuota.isPending}>
        {t("admin.quotaSave")}
      </Button>
      <span className="text-xs text-fg-soft" data-testid={`quota-${username}`}>
        {current}
      </span>
      {setQuota.error ? <Alert>{errorText(setQuota.error, t)}</Alert> : null}
    </form>
  );
}

import { trpc } from "../../api/client";
import { Alert, LoadMoreButton } from "../../components/ui";
import { useT } from "../../i18n";
import { AuditList } from "../identity/AuditList";

/** The account's own security events (sign-ins, key and 2FA changes), newest first. */
export function ActivitySettings() {
  const t = useT();
  const events = trpc.audit.mine.useInfiniteQuery(
    {},
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-fg-soft">{t("audit.mineHint")}</p>
      {events.isError ? <Alert>{events.error.message}</Alert> : null}
      {events.isSuccess ? (
        <AuditList events={items} showSubject={false} label={t("settings.activity")} />
      ) : null}
      <LoadMoreButton pages={events} label={t("sidebar.loadMore")} className="self-start" />
    </div>
  );
}

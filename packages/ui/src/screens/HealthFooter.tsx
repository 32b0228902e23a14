import { trpc } from "../api/client";
import { useT } from "../i18n";

/** Proves the whole stack is wired: a typed call through @trpc/react-query to health.ping. */
export function HealthFooter() {
  const t = useT();
  const ping = trpc.health.ping.useQuery(undefined, { retry: 1, refetchInterval: 60_000 });
  const text = ping.data
    ? t("health.connected", { database: ping.data.database })
    : ping.isError
      ? t("health.offline")
      : t("health.connecting");
  return (
    <footer className="flex items-center gap-2 text-xs text-fg-soft" data-testid="health">
      <span
        aria-hidden="true"
        className={`inline-block h-2 w-2 rounded-full ${ping.data ? "bg-success" : ping.isError ? "bg-danger" : "bg-fg-soft"}`}
      />
      <span role="status">{text}</span>
    </footer>
  );
}

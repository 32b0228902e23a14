import { cx } from "../components/ui";
import { useT } from "../i18n";
import { useAppSelector } from "../store";

/** A strip above every screen while the API is unreachable, and briefly once it is back. */
export function ConnectionBanner() {
  const t = useT();
  const status = useAppSelector((s) => s.connection.status);
  return (
    <div role="status" aria-live="polite" data-testid="connection" data-state={status}>
      {status === "online" ? null : (
        <p
          className={cx(
            "px-4 py-1.5 text-center text-sm font-medium",
            status === "restored" ? "bg-success-solid text-white" : "bg-warning text-black",
          )}
        >
          {status === "offline"
            ? t("connection.offline")
            : status === "reconnecting"
              ? t("connection.reconnecting")
              : t("connection.restored")}
        </p>
      )}
    </div>
  );
}

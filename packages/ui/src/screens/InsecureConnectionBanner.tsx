import { useT } from "../i18n";

/** Shown above everything while the server is reached over plain HTTP across a network. */
export function InsecureConnectionBanner() {
  const t = useT();
  return (
    <div
      role="alert"
      data-testid="insecure-connection"
      className="border-b border-danger/40 bg-danger/10 px-4 py-2 text-center text-sm text-danger"
    >
      <strong>{t("security.unencryptedTitle")}</strong> {t("security.unencryptedBody")}
    </div>
  );
}

import { useState } from "react";
import { trpc } from "../../api/client";
import { errorText } from "../../api/errors";
import { Alert, Button, Dialog } from "../../components/ui";
import { useLanguage, useT } from "../../i18n";
import { usePlatform } from "../../lib/platform";

/** Where a link opens: this page's server on the web, the configured one on desktop. */
function shareUrl(apiBaseUrl: string, token: string): string {
  const base = apiBaseUrl || window.location.origin;
  return new URL(`/s/${token}`, base).toString();
}

/** Makes, copies and revokes the read-only links of one conversation. */
export function ShareDialog({
  conversationId,
  title,
  open,
  onClose,
}: {
  conversationId: string;
  title: string;
  open: boolean;
  onClose(): void;
}) {
  const t = useT();
  const language = useLanguage();
  const platform = usePlatform();
  const utils = trpc.useUtils();
  const [copied, setCopied] = useState<string | null>(null);
  const links = trpc.share.list.useQuery({ conversationId }, { enabled: open });
  const refresh = () => void utils.share.list.invalidate({ conversationId });
  const create = trpc.share.create.useMutation({ onSuccess: refresh });
  const revoke = trpc.share.revoke.useMutation({ onSuccess: refresh });
  const copy = (id: string, url: string) =>
    void navigator.clipboard?.writeText(url).then(() => {
      setCopied(id);
      setTimeout(() => setCopied(null), 1500);
    });
  const formatDate = (value: Date | string) =>
    new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(
      new Date(value),
    );
  const error = create.error ?? revoke.error ?? links.error;

  return (
    <Dialog open={open} onClose={onClose} title={t("share.title", { title })}>
      <p className="text-sm text-fg-soft">{t("share.explain")}</p>
      {error ? <Alert>{errorText(error, t)}</Alert> : null}
      {links.data?.length ? (
        <ul className="flex flex-col gap-3" aria-label={t("share.links")}>
          {links.data.map((link) => {
            const url = shareUrl(platform.apiBaseUrl, link.token);
            return (
              <li key={link.id} className="flex flex-col gap-2 rounded-lg border border-line p-3">
                <label className="flex flex-col gap-1 text-sm">
                  <span className="text-fg-soft">
                    {t("share.linkMade", {
                      date: formatDate(link.createdAt),
                      count: link.messageCount,
                    })}
                  </span>
                  <input
                    readOnly
                    value={url}
                    onFocus={(e) => e.currentTarget.select()}
                    className="h-9 w-full rounded-md border border-line bg-muted px-2 font-mono text-xs"
                  />
                </label>
                <div className="flex justify-end gap-2">
                  <Button size="sm" onClick={() => copy(link.id, url)}>
                    {copied === link.id ? t("chat.copied") : t("share.copy")}
                  </Button>
                  <Button
                    size="sm"
                    variant="danger"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate({ id: link.id })}
                  >
                    {t("share.revoke")}
                  </Button>
                </div>
              </li>
            );
          })}
        </ul>
      ) : links.isSuccess ? (
        <p className="text-sm">{t("share.none")}</p>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>{t("share.close")}</Button>
        <Button
          variant="primary"
          disabled={create.isPending}
          onClick={() => create.mutate({ conversationId })}
        >
          {links.data?.length ? t("share.createAnother") : t("share.create")}
        </Button>
      </div>
    </Dialog>
  );
}

import { useState } from "react";
import { trpc } from "../../api/client";
import { errorText } from "../../api/errors";
import { Alert, Button, ConfirmDialog, LoadMoreButton } from "../../components/ui";
import { formatBytes, formatDate, useLanguage, useT } from "../../i18n";
import { typeLabel } from "../chat/attachments";

const PAGE = 50;

/** Storage used against the quota, and the files that use it (newest first), to delete. */
export function FilesSettings() {
  const t = useT();
  const language = useLanguage();
  const utils = trpc.useUtils();
  const files = trpc.files.list.useInfiniteQuery(
    { limit: PAGE },
    { getNextPageParam: (page) => page.nextCursor },
  );
  const [confirming, setConfirming] = useState<{ id: string; name: string } | null>(null);
  const remove = trpc.files.delete.useMutation({
    onSuccess: () => {
      setConfirming(null);
      void utils.files.list.invalidate();
      // Messages that carried the file stop showing it.
      void utils.chat.messages.list.invalidate();
    },
  });
  const first = files.data?.pages[0];
  const items = files.data?.pages.flatMap((p) => p.items) ?? [];
  const share = first?.quotaBytes ? Math.min(1, first.usedBytes / first.quotaBytes) : 0;
  return (
    <div className="flex flex-col gap-6">
      {files.error ? <Alert>{errorText(files.error, t)}</Alert> : null}
      {first ? (
        <div className="flex max-w-md flex-col gap-2">
          <div className="flex items-baseline justify-between gap-2">
            <span id="storage-used" className="text-sm font-medium">
              {t("files.usageLabel")}
            </span>
            <span className="text-sm text-fg-soft" data-testid="storage-usage">
              {t("files.usage", {
                used: formatBytes(language, first.usedBytes),
                quota: formatBytes(language, first.quotaBytes),
              })}
            </span>
          </div>
          <div
            role="meter"
            aria-labelledby="storage-used"
            aria-valuemin={0}
            aria-valuemax={first.quotaBytes}
            aria-valuenow={first.usedBytes}
            aria-valuetext={t("files.usage", {
              used: formatBytes(language, first.usedBytes),
              quota: formatBytes(language, first.quotaBytes),
            })}
            className="h-2 overflow-hidden rounded-full bg-muted"
          >
            <div
              className={share > 0.9 ? "h-full bg-danger-solid" : "h-full bg-accent-solid"}
              style={{ width: `${Math.max(share > 0 ? 1 : 0, Math.round(share * 100))}%` }}
            />
          </div>
          {first.maxFileBytes ? (
            <p className="text-xs text-fg-soft">
              {t("files.maxFile", { size: formatBytes(language, first.maxFileBytes) })}
            </p>
          ) : null}
        </div>
      ) : null}
      {remove.error ? <Alert>{errorText(remove.error, t)}</Alert> : null}
      <ul className="flex flex-col gap-2" aria-label={t("settings.files")}>
        {files.isSuccess && items.length === 0 ? (
          <li className="text-sm text-fg-soft">{t("files.none")}</li>
        ) : null}
        {items.map((file) => (
          <li
            key={file.id}
            className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-line bg-surface p-3"
          >
            <div className="min-w-0 flex-1">
              <p className="truncate font-medium" title={file.name}>
                {file.name}
              </p>
              <p className="text-xs text-fg-soft">
                {formatBytes(language, file.size)} · {typeLabel(file.name, file.mimeType)} ·{" "}
                {t("files.uploaded")}: {formatDate(language, file.createdAt)}
              </p>
            </div>
            <Button
              size="sm"
              aria-label={t("files.deleteLabel", { name: file.name })}
              onClick={() => setConfirming({ id: file.id, name: file.name })}
            >
              {t("files.delete")}
            </Button>
          </li>
        ))}
      </ul>
      <LoadMoreButton
        pages={files}
        label={t("sidebar.loadMore")}
        variant="ghost"
        size="sm"
        className="self-start"
      />
      <ConfirmDialog
        open={confirming !== null}
        onClose={() => setConfirming(null)}
        title={t("files.delete")}
        confirmLabel={t("files.delete")}
        cancelLabel={t("chat.cancel")}
        onConfirm={() => confirming && remove.mutate({ id: confirming.id })}
        pending={remove.isPending}
      >
        {t("files.deleteConfirm", { name: confirming?.name ?? "" })}
      </ConfirmDialog>
    </div>
  );
}

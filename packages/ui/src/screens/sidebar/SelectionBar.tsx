import { errorText } from "../../api/errors";
import { useState } from "react";
import { trpc } from "../../api/client";
import { Alert, Button, ConfirmDialog } from "../../components/ui";
import { useT } from "../../i18n";
import { useRouter } from "../../lib/router";
import { useAppDispatch, useAppSelector } from "../../store";
import { selectingToggled } from "../../store/foldersSlice";

/** Select mode's actions on the ticked conversations: archive, delete (confirmed), done. */
export function SelectionBar({ activeId }: { activeId: string | null }) {
  const t = useT();
  const dispatch = useAppDispatch();
  const utils = trpc.useUtils();
  const { navigate } = useRouter();
  const selected = useAppSelector((s) => s.folders.selected);
  const showArchived = useAppSelector((s) => s.layout.showArchived);
  const [confirming, setConfirming] = useState(false);
  const finish = (ids: string[]) => {
    void utils.chat.conversations.list.invalidate();
    for (const id of ids) void utils.chat.conversations.get.invalidate({ id });
    setConfirming(false);
    dispatch(selectingToggled(false));
  };
  const archive = trpc.chat.conversations.bulkArchive.useMutation({
    onSuccess: (result) => finish(result.ids),
  });
  const remove = trpc.chat.conversations.bulkDelete.useMutation({
    onSuccess: (result) => {
      if (activeId && result.ids.includes(activeId))
        navigate({ name: "chat", conversationId: null }, { replace: true });
      finish(result.ids);
    },
  });
  const count = selected.length;
  const error = archive.error ?? remove.error;

  return (
    <div
      role="region"
      aria-label={t("select.count", { count })}
      className="flex flex-col gap-2 border-t border-line p-2"
    >
      {error && !confirming ? <Alert>{errorText(error, t)}</Alert> : null}
      <div className="flex flex-wrap items-center gap-1">
        <span aria-live="polite" className="flex-1 whitespace-nowrap px-1 text-sm font-medium">
          {t("select.count", { count })}
        </span>
        <Button
          size="sm"
          disabled={count === 0 || archive.isPending}
          onClick={() => archive.mutate({ ids: selected, archived: !showArchived })}
        >
          {showArchived ? t("sidebar.unarchive") : t("select.archive")}
        </Button>
        <Button
          size="sm"
          variant="danger"
          disabled={count === 0 || remove.isPending}
          onClick={() => setConfirming(true)}
        >
          {t("select.delete")}
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t("select.deleteTitle")}
        error={remove.error ? errorText(remove.error, t) : null}
        confirmLabel={t("select.delete")}
        cancelLabel={t("chat.cancel")}
        onConfirm={() => remove.mutate({ ids: selected })}
        pending={remove.isPending}
      >
        {t("select.deleteConfirm", { count })}
      </ConfirmDialog>
    </div>
  );
}

import { errorText } from "../../api/errors";
import { trpc } from "../../api/client";
import { Alert, Button, cx, Dialog } from "../../components/ui";
import { useT } from "../../i18n";
import { useMoveConversation } from "./useFolderMutations";

/** The keyboard (and touch) alternative to dragging a conversation onto a folder. */
export function MoveToFolderDialog({
  conversationId,
  folderId,
  title,
  open,
  onClose,
}: {
  conversationId: string;
  folderId: string | null;
  title: string;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const folders = trpc.folders.list.useQuery(undefined, { enabled: open });
  const move = useMoveConversation(onClose);
  const choices = [
    ...(folders.data ?? []).map((f) => ({ id: f.id as string | null, name: f.name })),
    { id: null, name: t("folders.none") },
  ];
  return (
    <Dialog open={open} onClose={onClose} title={t("folders.moveTitle", { title })}>
      {folders.isSuccess && folders.data.length === 0 ? (
        <p className="text-sm text-fg-soft">{t("folders.noFolders")}</p>
      ) : null}
      <ul className="flex flex-col gap-1" aria-label={t("folders.title")}>
        {choices.map((choice) => {
          const current = choice.id === folderId;
          return (
            <li key={choice.id ?? "none"}>
              <Button
                variant="ghost"
                className={cx("w-full justify-start", current && "bg-muted")}
                aria-current={current ? "true" : undefined}
                disabled={move.isPending}
                onClick={() =>
                  current ? onClose() : move.mutate({ id: conversationId, folderId: choice.id })
                }
              >
                <span className="truncate">{choice.name}</span>
                {current ? <span className="text-fg-soft">{t("folders.current")}</span> : null}
              </Button>
            </li>
          );
        })}
      </ul>
      {move.error ? <Alert>{errorText(move.error, t)}</Alert> : null}
      <div className="flex justify-end">
        <Button onClick={onClose}>{t("chat.cancel")}</Button>
      </div>
    </Dialog>
  );
}

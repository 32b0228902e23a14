import { errorText } from "../../api/errors";
import { useState } from "react";
import { trpc } from "../../api/client";
import { DotsIcon, PinIcon } from "../../components/icons";
import { Button, ConfirmDialog, cx, Dialog, Menu, TextField } from "../../components/ui";
import { useT } from "../../i18n";
import { useRouter } from "../../lib/router";
import { displayTitle } from "../../lib/titles";
import { useAppDispatch, useAppSelector } from "../../store";
import { selectionToggled } from "../../store/foldersSlice";
import { ShareDialog } from "../share/ShareDialog";
import { startConversationDrag } from "./dnd";
import { MoveToFolderDialog } from "./MoveToFolderDialog";

export interface ConversationSummary {
  id: string;
  title: string | null;
  pinned: boolean;
  archived: boolean;
  folderId?: string | null;
}

export function ConversationItem({
  conversation,
  active,
}: {
  conversation: ConversationSummary;
  active: boolean;
}) {
  const t = useT();
  const { href, navigate } = useRouter();
  const utils = trpc.useUtils();
  const [renaming, setRenaming] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [moving, setMoving] = useState(false);
  const [title, setTitle] = useState("");
  const shownTitle = displayTitle(conversation.title, t);
  const dispatch = useAppDispatch();
  const selecting = useAppSelector((s) => s.folders.selecting);
  const selected = useAppSelector((s) => s.folders.selected.includes(conversation.id));

  const invalidate = () => {
    void utils.chat.conversations.list.invalidate();
    void utils.chat.conversations.get.invalidate({ id: conversation.id });
  };
  const update = trpc.chat.conversations.update.useMutation({
    onSuccess: () => {
      setRenaming(false);
      invalidate();
    },
  });
  const remove = trpc.chat.conversations.delete.useMutation({
    onSuccess: () => {
      setConfirmingDelete(false);
      void utils.chat.conversations.list.invalidate();
      if (active) navigate({ name: "chat", conversationId: null }, { replace: true });
    },
  });

  if (selecting) {
    // Select mode: the whole row is a checkbox; the menu and navigation wait until done.
    return (
      <li>
        <label
          className={cx(
            "flex cursor-pointer items-center gap-2 rounded-lg px-2.5 py-2 text-sm",
            selected ? "bg-muted font-medium" : "hover:bg-muted",
          )}
        >
          <input
            type="checkbox"
            checked={selected}
            onChange={() => dispatch(selectionToggled(conversation.id))}
            aria-label={t("select.toggle", { title: shownTitle })}
            className="h-4 w-4 shrink-0 accent-accent-solid"
          />
          <span className="truncate">{shownTitle}</span>
        </label>
      </li>
    );
  }

  return (
    <li
      className="group relative"
      draggable
      onDragStart={(event) => startConversationDrag(event, conversation.id)}
    >
      <a
        draggable={false}
        href={href({ name: "chat", conversationId: conversation.id })}
        aria-current={active ? "page" : undefined}
        onClick={(e) => {
          e.preventDefault();
          navigate({ name: "chat", conversationId: conversation.id });
        }}
        className={cx(
          "flex items-center gap-2 rounded-lg py-2 pl-2.5 pr-10 text-sm",
          active ? "bg-muted font-medium" : "hover:bg-muted",
        )}
      >
        {conversation.pinned ? (
          <PinIcon width={14} height={14} className="shrink-0 text-fg-soft" />
        ) : null}
        <span className="truncate">{shownTitle}</span>
      </a>
      <div className="absolute right-1 top-0.5">
        <Menu
          label={t("sidebar.actions", { title: shownTitle })}
          trigger={<DotsIcon />}
          items={[
            {
              label: t("sidebar.rename"),
              onSelect: () => {
                setTitle(conversation.title ?? "");
                setRenaming(true);
              },
            },
            { label: t("sidebar.share"), onSelect: () => setSharing(true) },
            { label: t("folders.moveTo"), onSelect: () => setMoving(true) },
            {
              label: conversation.pinned ? t("sidebar.unpin") : t("sidebar.pin"),
              onSelect: () => update.mutate({ id: conversation.id, pinned: !conversation.pinned }),
            },
            {
              label: conversation.archived ? t("sidebar.unarchive") : t("sidebar.archive"),
              onSelect: () =>
                update.mutate({ id: conversation.id, archived: !conversation.archived }),
            },
            { label: t("sidebar.delete"), danger: true, onSelect: () => setConfirmingDelete(true) },
          ]}
        />
      </div>
      <MoveToFolderDialog
        conversationId={conversation.id}
        folderId={conversation.folderId ?? null}
        title={shownTitle}
        open={moving}
        onClose={() => setMoving(false)}
      />
      <ShareDialog
        conversationId={conversation.id}
        title={shownTitle}
        open={sharing}
        onClose={() => setSharing(false)}
      />
      <Dialog open={renaming} onClose={() => setRenaming(false)} title={t("sidebar.rename")}>
        <form
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ id: conversation.id, title: title.trim() });
          }}
        >
          <TextField
            label={t("sidebar.renameLabel")}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={200}
            autoFocus
            error={update.error ? errorText(update.error, t) : undefined}
          />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setRenaming(false)}>{t("chat.cancel")}</Button>
            <Button type="submit" variant="primary" disabled={!title.trim() || update.isPending}>
              {t("chat.save")}
            </Button>
          </div>
        </form>
      </Dialog>
      <ConfirmDialog
        open={confirmingDelete}
        onClose={() => setConfirmingDelete(false)}
        title={t("sidebar.delete")}
        error={remove.error ? errorText(remove.error, t) : null}
        confirmLabel={t("sidebar.delete")}
        cancelLabel={t("chat.cancel")}
        onConfirm={() => remove.mutate({ id: conversation.id })}
        pending={remove.isPending}
      >
        {t("sidebar.deleteConfirm", { title: shownTitle })}
      </ConfirmDialog>
    </li>
  );
}

import { errorText } from "../../api/errors";
import { useState } from "react";
import { trpc } from "../../api/client";
import { ChevronRightIcon, DotsIcon, PlusIcon } from "../../components/icons";
import {
  Alert,
  Button,
  ConfirmDialog,
  cx,
  Dialog,
  IconButton,
  LoadMoreButton,
  Menu,
  TextField,
} from "../../components/ui";
import { useT } from "../../i18n";
import { useAppDispatch, useAppSelector } from "../../store";
import { folderCollapsed } from "../../store/foldersSlice";
import { ConversationItem } from "./ConversationItem";
import { useConversationDrop } from "./dnd";
import { useMoveConversation } from "./useFolderMutations";

const FOLDER_PAGE_SIZE = 50;

interface Folder {
  id: string;
  name: string;
}

/** The user's folders, each collapsible and a drop target for conversations. */
export function FolderSection({ activeId }: { activeId: string | null }) {
  const t = useT();
  const folders = trpc.folders.list.useQuery();
  const [creating, setCreating] = useState(false);
  return (
    <section aria-label={t("folders.title")} data-testid="folders">
      <div className="flex items-center justify-between pl-2 pr-1 pt-3">
        <h2 className="text-xs font-medium uppercase tracking-wide text-fg-soft">
          {t("folders.title")}
        </h2>
        <IconButton label={t("folders.new")} onClick={() => setCreating(true)}>
          <PlusIcon width={16} height={16} />
        </IconButton>
      </div>
      {folders.isError ? <Alert>{errorText(folders.error, t)}</Alert> : null}
      <ul>
        {(folders.data ?? []).map((folder) => (
          <FolderRow key={folder.id} folder={folder} activeId={activeId} />
        ))}
      </ul>
      <FolderNameDialog
        open={creating}
        onClose={() => setCreating(false)}
        title={t("folders.new")}
        initial=""
        submitLabel={t("folders.create")}
        mode="create"
      />
    </section>
  );
}

function FolderRow({ folder, activeId }: { folder: Folder; activeId: string | null }) {
  const t = useT();
  const dispatch = useAppDispatch();
  const utils = trpc.useUtils();
  const collapsed = useAppSelector((s) => s.folders.collapsed[folder.id] ?? false);
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const move = useMoveConversation();
  const drop = useConversationDrop((id) => {
    move.mutate({ id, folderId: folder.id });
    // Dropping on a closed folder opens it, so the chat is seen to land.
    dispatch(folderCollapsed({ id: folder.id, collapsed: false }));
  });
  const remove = trpc.folders.delete.useMutation({
    onSuccess: () => {
      setDeleting(false);
      void utils.folders.list.invalidate();
      void utils.chat.conversations.list.invalidate();
    },
  });
  const panelId = `folder-${folder.id}`;

  return (
    <li data-folder={folder.name} className="group/folder relative">
      <div
        {...drop.handlers}
        data-testid="folder-target"
        className={cx(
          "flex items-center rounded-lg pr-10",
          drop.over ? "bg-accent/15 outline outline-2 outline-accent" : "hover:bg-muted",
        )}
      >
        <button
          type="button"
          aria-expanded={!collapsed}
          aria-controls={panelId}
          onClick={() => dispatch(folderCollapsed({ id: folder.id, collapsed: !collapsed }))}
          className="flex min-w-0 flex-1 items-center gap-1.5 py-2 pl-1.5 text-left text-sm font-medium"
        >
          <ChevronRightIcon
            width={16}
            height={16}
            className={cx("shrink-0 text-fg-soft transition-transform", !collapsed && "rotate-90")}
          />
          <span className="truncate">{folder.name}</span>
        </button>
      </div>
      <div className="absolute right-1 top-0.5">
        <Menu
          label={t("folders.actions", { name: folder.name })}
          trigger={<DotsIcon />}
          items={[
            { label: t("folders.rename"), onSelect: () => setRenaming(true) },
            { label: t("folders.delete"), danger: true, onSelect: () => setDeleting(true) },
          ]}
        />
      </div>
      {move.error ? <Alert>{errorText(move.error, t)}</Alert> : null}
      {collapsed ? null : (
        <div id={panelId} className="pl-3">
          <FolderConversations folderId={folder.id} activeId={activeId} />
        </div>
      )}
      <FolderNameDialog
        open={renaming}
        onClose={() => setRenaming(false)}
        title={t("folders.rename")}
        initial={folder.name}
        submitLabel={t("chat.save")}
        mode={{ rename: folder.id }}
      />
      <ConfirmDialog
        open={deleting}
        onClose={() => setDeleting(false)}
        title={t("folders.delete")}
        error={remove.error ? errorText(remove.error, t) : null}
        confirmLabel={t("folders.delete")}
        cancelLabel={t("chat.cancel")}
        onConfirm={() => remove.mutate({ id: folder.id })}
        pending={remove.isPending}
      >
        {t("folders.deleteConfirm", { name: folder.name })}
      </ConfirmDialog>
    </li>
  );
}

function FolderConversations({
  folderId,
  activeId,
}: {
  folderId: string;
  activeId: string | null;
}) {
  const t = useT();
  const list = trpc.chat.conversations.list.useInfiniteQuery(
    { limit: FOLDER_PAGE_SIZE, archived: false, folderId },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <ul data-testid="folder-conversations">
        {items.map((c) => (
          <ConversationItem key={c.id} conversation={c} active={c.id === activeId} />
        ))}
      </ul>
      {list.isSuccess && items.length === 0 ? (
        <p className="px-2.5 py-1.5 text-xs text-fg-soft">{t("folders.empty")}</p>
      ) : null}
      <LoadMoreButton
        pages={list}
        label={t("sidebar.loadMore")}
        variant="ghost"
        size="sm"
        className="w-full"
      />
    </>
  );
}

function FolderNameDialog({
  open,
  onClose,
  title,
  initial,
  submitLabel,
  mode,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  initial: string;
  submitLabel: string;
  mode: "create" | { rename: string };
}) {
  const t = useT();
  const utils = trpc.useUtils();
  const [name, setName] = useState(initial);
  const [wasOpen, setWasOpen] = useState(open);
  // Each opening starts from the current name.
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) setName(initial);
  }
  const done = () => {
    void utils.folders.list.invalidate();
    onClose();
  };
  const create = trpc.folders.create.useMutation({ onSuccess: done });
  const rename = trpc.folders.rename.useMutation({ onSuccess: done });
  const mutation = mode === "create" ? create : rename;
  return (
    <Dialog open={open} onClose={onClose} title={title}>
      <form
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (mode === "create") create.mutate({ name: name.trim() });
          else rename.mutate({ id: mode.rename, name: name.trim() });
        }}
      >
        <TextField
          label={t("folders.nameLabel")}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          autoFocus
          error={mutation.error ? errorText(mutation.error, t) : undefined}
        />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>{t("chat.cancel")}</Button>
          <Button type="submit" variant="primary" disabled={!name.trim() || mutation.isPending}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

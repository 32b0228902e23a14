import { errorText } from "../../api/errors";
import { useEffect, useId, useRef, useState } from "react";
import { trpc } from "../../api/client";
import { CloseIcon, LogoIcon, PlusIcon, SettingsIcon } from "../../components/icons";
import { Alert, Button, cx, IconButton, LoadMoreButton } from "../../components/ui";
import { useT } from "../../i18n";
import { useRouter } from "../../lib/router";
import { useSession } from "../../lib/session";
import { useShortcutAction } from "../../lib/shortcuts";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { useMediaQuery, WIDE_SCREEN } from "../../lib/useMediaQuery";
import { useAppDispatch, useAppSelector } from "../../store";
import { selectingToggled } from "../../store/foldersSlice";
import { archivedToggled, searchChanged, sidebarToggled } from "../../store/layoutSlice";
import { ConversationItem } from "./ConversationItem";
import { useConversationDrop } from "./dnd";
import { FolderSection } from "./Folders";
import { PresetsMenu } from "./Presets";
import { presetChosen } from "../../store/newChatSlice";
import { SearchResults } from "./SearchResults";
import { SelectionBar } from "./SelectionBar";
import { useMoveConversation } from "./useFolderMutations";

const PAGE_SIZE = 30;

export function Sidebar({ open }: { open: boolean }) {
  const t = useT();
  const dispatch = useAppDispatch();
  const session = useSession();
  const { route, navigate, href } = useRouter();
  const searchId = useId();
  const search = useAppSelector((s) => s.layout.searchQuery);
  const showArchived = useAppSelector((s) => s.layout.showArchived);
  const query = useDebouncedValue(search.trim(), 250);
  const me = trpc.auth.me.useQuery();
  const wide = useMediaQuery(WIDE_SCREEN);

  const selecting = useAppSelector((s) => s.folders.selecting);
  const folders = trpc.folders.list.useQuery(undefined, { enabled: !showArchived });
  // Out of the archive, chats filed in a folder are listed under it, not here.
  const moveOut = useMoveConversation();
  const dropOut = useConversationDrop((id) => moveOut.mutate({ id, folderId: null }));

  // While searching, ranked results (SearchResults) replace the list.
  const list = trpc.chat.conversations.list.useInfiniteQuery(
    showArchived
      ? { limit: PAGE_SIZE, archived: true }
      : { limit: PAGE_SIZE, archived: false, folderId: null },
    { getNextPageParam: (page) => page.nextCursor ?? undefined, enabled: !query },
  );
  const conversations = list.data?.pages.flatMap((p) => p.items) ?? [];
  const pinned = conversations.filter((c) => c.pinned);
  const recent = conversations.filter((c) => !c.pinned);
  const activeId = route.name === "chat" ? route.conversationId : null;

  // The search shortcut: on a phone the drawer opens first, and its box takes focus once
  // the drawer is no longer inert.
  const searchBox = useRef<HTMLInputElement>(null);
  const [focusSearch, setFocusSearch] = useState(false);
  useShortcutAction("search", () => {
    if (!wide) dispatch(sidebarToggled(true));
    setFocusSearch(true);
  });
  useEffect(() => {
    if (!focusSearch || (!open && !wide)) return;
    searchBox.current?.focus();
    searchBox.current?.select();
    setFocusSearch(false);
  }, [focusSearch, open, wide]);

  // Infinite scroll: the next page loads when the end of the list comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !list.hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !list.isFetchingNextPage)
        void list.fetchNextPage();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [list.hasNextPage, list.isFetchingNextPage, list.fetchNextPage]);

  return (
    <aside
      aria-label={t("sidebar.recent")}
      className={cx(
        "fixed inset-y-0 left-0 z-40 flex w-[min(18rem,85vw)] flex-col border-r border-line bg-surface transition-transform md:static md:z-auto md:translate-x-0",
        open ? "translate-x-0" : "-translate-x-full",
      )}
      // Off-screen on phones: keep its controls out of the tab order until opened.
      inert={!open && !wide}
      data-open={open}
    >
      <div className="flex h-14 shrink-0 items-center gap-2 px-3">
        <span className="text-accent">
          <LogoIcon />
        </span>
        <span className="flex-1 font-semibold">{t("app.name")}</span>
        <IconButton
          label={t("nav.closeSidebar")}
          className="md:hidden"
          onClick={() => dispatch(sidebarToggled(false))}
        >
          <CloseIcon />
        </IconButton>
      </div>
      <div className="flex flex-col gap-2 px-3 pb-2">
        <div className="relative flex items-center gap-1">
          <Button
            variant="primary"
            className="flex-1"
            onClick={() => {
              dispatch(presetChosen(null));
              navigate({ name: "chat", conversationId: null });
            }}
          >
            <PlusIcon /> {t("sidebar.newChat")}
          </Button>
          <PresetsMenu />
        </div>
        <label htmlFor={searchId} className="sr-only">
          {t("sidebar.search")}
        </label>
        <input
          ref={searchBox}
          id={searchId}
          type="search"
          placeholder={t("sidebar.search")}
          value={search}
          maxLength={200}
          onChange={(e) => dispatch(searchChanged(e.target.value))}
          className="h-9 rounded-lg border border-line bg-bg px-3 text-sm placeholder:text-fg-soft"
        />
      </div>
      <nav aria-label={t("sidebar.recent")} className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">
        {query ? <SearchResults query={query} activeId={activeId} /> : null}
        <div hidden={Boolean(query)}>
          {list.isError ? <Alert>{errorText(list.error, t)}</Alert> : null}
          {showArchived ? <SectionTitle>{t("sidebar.archived")}</SectionTitle> : null}
          {showArchived ? null : <FolderSection activeId={activeId} />}
          {!showArchived && pinned.length ? (
            <>
              <SectionTitle>{t("sidebar.pinned")}</SectionTitle>
              <ul>
                {pinned.map((c) => (
                  <ConversationItem key={c.id} conversation={c} active={c.id === activeId} />
                ))}
              </ul>
            </>
          ) : null}
          {!showArchived && (recent.length || folders.data?.length) ? (
            <SectionTitle>{t("sidebar.recent")}</SectionTitle>
          ) : null}
          <div
            {...(showArchived ? {} : dropOut.handlers)}
            data-testid="unfiled-target"
            className={cx(
              "rounded-lg",
              dropOut.over && "bg-accent/15 outline outline-2 outline-accent",
            )}
          >
            <ul data-testid="conversation-list">
              {recent.map((c) => (
                <ConversationItem key={c.id} conversation={c} active={c.id === activeId} />
              ))}
            </ul>
            {dropOut.over ? (
              <p className="px-2.5 py-2 text-xs text-fg-soft">{t("folders.dropOut")}</p>
            ) : null}
          </div>
          {moveOut.error ? <Alert>{errorText(moveOut.error, t)}</Alert> : null}
          {list.isSuccess &&
          conversations.length === 0 &&
          (showArchived || folders.data?.length === 0) ? (
            <p className="px-2 py-4 text-sm text-fg-soft">{t("sidebar.empty")}</p>
          ) : null}
          <div ref={sentinel} />
          <LoadMoreButton
            pages={list}
            label={t("sidebar.loadMore")}
            variant="ghost"
            size="sm"
            className="w-full"
          />
        </div>
      </nav>
      {selecting ? <SelectionBar activeId={activeId} /> : null}
      <div className="flex flex-col gap-1 border-t border-line p-2">
        <div className="flex items-center gap-1">
          <Button
            variant="ghost"
            size="sm"
            className="min-w-0 flex-1 justify-start"
            onClick={() => {
              dispatch(archivedToggled());
              // A selection is of the list on screen.
              if (selecting) dispatch(selectingToggled(true));
            }}
          >
            <span className="truncate">
              {showArchived ? t("sidebar.hideArchived") : t("sidebar.showArchived")}
            </span>
          </Button>
          {query ? null : (
            <Button
              variant="ghost"
              size="sm"
              aria-pressed={selecting}
              onClick={() => dispatch(selectingToggled())}
            >
              {selecting ? t("select.cancel") : t("select.start")}
            </Button>
          )}
        </div>
        {me.data?.role === "admin" ? (
          <a
            href={href({ name: "admin" })}
            onClick={(e) => {
              e.preventDefault();
              navigate({ name: "admin" });
            }}
            className="rounded-lg px-2.5 py-1.5 text-sm hover:bg-muted"
            aria-current={route.name === "admin" ? "page" : undefined}
          >
            {t("nav.admin")}
          </a>
        ) : null}
        <div className="flex items-center gap-1">
          <a
            href={href({ name: "settings", tab: "profile" })}
            onClick={(e) => {
              e.preventDefault();
              navigate({ name: "settings", tab: "profile" });
            }}
            className="flex min-w-0 flex-1 items-center gap-2 rounded-lg px-2.5 py-1.5 text-sm hover:bg-muted"
            aria-current={route.name === "settings" ? "page" : undefined}
          >
            <SettingsIcon />
            <span className="truncate">
              {me.data ? `${t("nav.settings")} · ${me.data.username}` : t("nav.settings")}
            </span>
          </a>
          <Button
            variant="ghost"
            size="sm"
            onClick={() => {
              navigate({ name: "chat", conversationId: null }, { replace: true });
              void session.signOut();
            }}
          >
            {t("auth.signOut")}
          </Button>
        </div>
      </div>
    </aside>
  );
}

function SectionTitle({ children }: { children: string }) {
  return (
    <h2 className="px-2 pb-1 pt-3 text-xs font-medium uppercase tracking-wide text-fg-soft">
      {children}
    </h2>
  );
}

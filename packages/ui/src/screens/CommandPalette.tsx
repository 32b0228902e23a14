import { Command } from "cmdk";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { trpc } from "../api/client";
import { cx } from "../components/ui";
import { useT } from "../i18n";
import { useRouter } from "../lib/router";
import { useSession } from "../lib/session";
import { comboKeys, requestAction, SHORTCUTS, type ShortcutAction } from "../lib/shortcuts";
import { resolveTheme } from "../lib/theme";
import { displayTitle } from "../lib/titles";
import { useDebouncedValue } from "../lib/useDebouncedValue";
import { useAppDispatch, useAppSelector } from "../store";
import { presetChosen } from "../store/newChatSlice";
import { languageChanged, themeChanged } from "../store/prefsSlice";

interface PaletteAction {
  id: string;
  label: string;
  shortcut?: ShortcutAction;
  run(): void;
}

const normalise = (text: string) => text.toLocaleLowerCase().replace(/\s+/g, " ").trim();

/** Every word of the query appears in the text. */
function matchesQuery(text: string, query: string): boolean {
  const haystack = normalise(text);
  return normalise(query)
    .split(" ")
    .every((word) => haystack.includes(word));
}

/**
 * The command palette (cmdk): actions and conversations, filtered as one types; the
 * conversations come from the loaded list by title and, past two characters, from the
 * server's ranked search (message text too). Arrow keys move, Enter runs, Esc closes.
 */
export function CommandPalette({
  open,
  onClose,
  onShowShortcuts,
  onSearch,
}: {
  open: boolean;
  onClose(): void;
  onShowShortcuts(): void;
  onSearch(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const t = useT();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // The input mounted while the dialog was closed, so its autoFocus found nothing to do.
      dialog.querySelector("input")?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-label={t("palette.title")}
      onClose={onClose}
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
      data-testid="command-palette"
      className="m-auto mt-[12vh] w-[min(36rem,calc(100vw-1.5rem))] overflow-hidden rounded-xl border border-line bg-surface p-0 text-fg shadow-xl backdrop:bg-black/40"
    >
      {open ? (
        <PaletteBody onClose={onClose} onShowShortcuts={onShowShortcuts} onSearch={onSearch} />
      ) : null}
    </dialog>
  );
}

function PaletteBody({
  onClose,
  onShowShortcuts,
  onSearch,
}: {
  onClose(): void;
  onShowShortcuts(): void;
  onSearch(): void;
}) {
  const t = useT();
  const dispatch = useAppDispatch();
  const session = useSession();
  const { navigate } = useRouter();
  const prefs = useAppSelector((s) => s.prefs);
  const [query, setQuery] = useState("");
  const searchFor = useDebouncedValue(query.trim(), 200);
  const me = trpc.auth.me.useQuery();
  // The sidebar's own first page (same input, so the same cache entry).
  const list = trpc.chat.conversations.list.useInfiniteQuery(
    { limit: 30, archived: false },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const found = trpc.chat.conversations.search.useQuery(
    { query: searchFor },
    { enabled: searchFor.length >= 2, staleTime: 5_000 },
  );

  // After the dialog has closed: a modal dialog keeps focus inside itself until then.
  const run = (action: () => void) => {
    onClose();
    setTimeout(action, 0);
  };
  const dark =
    resolveTheme(prefs.theme, window.matchMedia("(prefers-color-scheme: dark)").matches) === "dark";
  const actions: PaletteAction[] = [
    {
      id: "new-chat",
      label: t("shortcuts.newChat"),
      shortcut: "newChat",
      run: () => {
        dispatch(presetChosen(null));
        navigate({ name: "chat", conversationId: null });
        requestAction("focusComposer");
      },
    },
    { id: "search", label: t("shortcuts.search"), shortcut: "search", run: onSearch },
    {
      id: "focus-composer",
      label: t("shortcuts.focusComposer"),
      shortcut: "focusComposer",
      run: () => requestAction("focusComposer"),
    },
    {
      id: "settings",
      label: t("palette.settings"),
      run: () => navigate({ name: "settings", tab: "profile" }),
    },
    ...(me.data?.role === "admin"
      ? [{ id: "admin", label: t("palette.admin"), run: () => navigate({ name: "admin" }) }]
      : []),
    {
      id: "theme",
      label: dark ? t("palette.themeLight") : t("palette.themeDark"),
      run: () => dispatch(themeChanged(dark ? "light" : "dark")),
    },
    {
      id: "language",
      label: t("palette.language"),
      run: () => dispatch(languageChanged(prefs.language === "ru" ? "en" : "ru")),
    },
    {
      id: "shortcuts",
      label: t("shortcuts.sheet"),
      shortcut: "shortcuts",
      run: onShowShortcuts,
    },
    {
      id: "sign-out",
      label: t("auth.signOut"),
      run: () => {
        navigate({ name: "chat", conversationId: null }, { replace: true });
        void session.signOut();
      },
    },
  ];
  const shownActions = actions.filter((a) => !query.trim() || matchesQuery(a.label, query));

  const conversations = useMemo(() => {
    const loaded = (list.data?.pages.flatMap((p) => p.items) ?? []).map((c) => ({
      id: c.id,
      title: displayTitle(c.title, t),
      archived: c.archived,
    }));
    const byTitle = query.trim()
      ? loaded.filter((c) => matchesQuery(c.title, query))
      : loaded.slice(0, 8);
    const fromSearch =
      searchFor.length >= 2
        ? (found.data?.items ?? []).map((c) => ({
            id: c.id,
            title: displayTitle(c.title, t),
            archived: c.archived,
          }))
        : [];
    const seen = new Set<string>();
    return [...byTitle, ...fromSearch].filter((c) => !seen.has(c.id) && seen.add(c.id));
  }, [list.data, found.data, query, searchFor, t]);

  return (
    <Command label={t("palette.title")} shouldFilter={false} loop className="flex flex-col">
      <Command.Input
        value={query}
        onValueChange={setQuery}
        autoFocus
        maxLength={200}
        placeholder={t("palette.placeholder")}
        className="h-12 w-full border-b border-line bg-transparent px-4 text-[15px] text-fg placeholder:text-fg-soft focus:outline-none"
      />
      <Command.List className="max-h-[min(60vh,24rem)] overflow-y-auto p-2">
        <Command.Empty className="px-3 py-6 text-center text-sm text-fg-soft">
          {t("palette.empty")}
        </Command.Empty>
        {shownActions.length ? (
          <Command.Group heading={t("palette.actions")} className={groupClass}>
            {shownActions.map((action) => (
              <PaletteItem
                key={action.id}
                value={`action:${action.id}`}
                onSelect={() => run(action.run)}
                hint={action.shortcut ? <ShortcutHint action={action.shortcut} /> : null}
              >
                {action.label}
              </PaletteItem>
            ))}
          </Command.Group>
        ) : null}
        {conversations.length ? (
          <Command.Group heading={t("palette.conversations")} className={groupClass}>
            {conversations.map((c) => (
              <PaletteItem
                key={c.id}
                value={`conversation:${c.id}`}
                onSelect={() => run(() => navigate({ name: "chat", conversationId: c.id }))}
                hint={
                  c.archived ? (
                    <span className="text-xs text-fg-soft">{t("sidebar.archivedBadge")}</span>
                  ) : null
                }
              >
                {c.title}
              </PaletteItem>
            ))}
          </Command.Group>
        ) : null}
      </Command.List>
    </Command>
  );
}

const groupClass =
  "[&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:pt-2 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:uppercase [&_[cmdk-group-heading]]:tracking-wide [&_[cmdk-group-heading]]:text-fg-soft";

function PaletteItem({
  value,
  onSelect,
  hint,
  children,
}: {
  value: string;
  onSelect(): void;
  hint?: ReactNode;
  children: string;
}) {
  return (
    <Command.Item
      value={value}
      onSelect={onSelect}
      className={cx(
        "flex min-h-10 cursor-pointer items-center gap-3 rounded-lg px-3 py-2 text-sm",
        "data-[selected=true]:bg-muted data-[selected=true]:outline data-[selected=true]:outline-2 data-[selected=true]:outline-accent",
      )}
    >
      <span className="min-w-0 flex-1 truncate">{children}</span>
      {hint}
    </Command.Item>
  );
}

export function ShortcutHint({ action }: { action: ShortcutAction }) {
  const combo = SHORTCUTS.find((s) => s.action === action)?.combos[0];
  if (!combo) return null;
  return <Keys keys={comboKeys(combo)} />;
}

export function Keys({ keys }: { keys: string[] }) {
  return (
    <span className="flex shrink-0 gap-1">
      {keys.map((key) => (
        <kbd
          key={key}
          className="min-w-6 rounded border border-line bg-bg px-1.5 py-0.5 text-center font-sans text-xs text-fg-soft"
        >
          {key}
        </kbd>
      ))}
    </span>
  );
}

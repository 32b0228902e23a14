import { useEffect, useRef, useState } from "react";
import { ChevronLeftIcon, MenuIcon } from "../components/icons";
import { IconButton } from "../components/ui";
import { useT } from "../i18n";
import { useRouter, type Route } from "../lib/router";
import { requestAction, shortcutFor } from "../lib/shortcuts";
import { useAppDispatch, useAppSelector } from "../store";
import { presetChosen } from "../store/newChatSlice";
import { sidebarToggled } from "../store/layoutSlice";
import { AdminScreen } from "./AdminScreen";
import { ChatScreen } from "./chat/ChatScreen";
import { CommandPalette } from "./CommandPalette";
import { ShortcutSheet } from "./ShortcutSheet";
import { SettingsScreen } from "./settings/SettingsScreen";
import { Sidebar } from "./sidebar/Sidebar";

/** Signed-in layout: the conversation sidebar (a drawer below `md`) and the current screen. */
export function AppShell() {
  const t = useT();
  const { route, navigate } = useRouter();
  const dispatch = useAppDispatch();
  const sidebarOpen = useAppSelector((s) => s.layout.sidebarOpen);
  // Where "Back" on a phone's settings or admin bar returns to.
  const lastChat = useRef<Route | null>(null);
  if (route.name === "chat") lastChat.current = route;

  // The drawer closes when the screen changes (a conversation was picked on a phone).
  useEffect(() => {
    dispatch(sidebarToggled(false));
  }, [route, dispatch]);

  useEffect(() => {
    if (!sidebarOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") dispatch(sidebarToggled(false));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [sidebarOpen, dispatch]);

  const [paletteOpen, setPaletteOpen] = useState(false);
  const [sheetOpen, setSheetOpen] = useState(false);

  // The app's keyboard shortcuts (lib/shortcuts.ts lists them; the sheet shows them).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = shortcutFor(event);
      if (!action) return;
      const dialogOpen = Boolean(document.querySelector("dialog[open]"));
      if (action === "stopReply") {
        // Esc belongs to an open dialog, menu or drawer first.
        if (event.defaultPrevented || dialogOpen || sidebarOpen) return;
        requestAction("stopReply");
        return;
      }
      if (action === "palette") {
        event.preventDefault();
        setSheetOpen(false);
        setPaletteOpen((open) => !open);
        return;
      }
      // Other shortcuts wait while a dialog (a rename, the palette itself) has the keyboard.
      if (dialogOpen) return;
      event.preventDefault();
      if (action === "shortcuts") setSheetOpen(true);
      else if (action === "newChat") {
        dispatch(presetChosen(null));
        navigate({ name: "chat", conversationId: null });
        requestAction("focusComposer");
      } else requestAction(action);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [sidebarOpen, navigate, dispatch]);

  return (
    <div className="flex h-full overflow-hidden">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-lg focus:bg-surface focus:p-2"
      >
        {t("app.skipToContent")}
      </a>
      {sidebarOpen ? (
        <div
          className="fixed inset-0 z-30 bg-black/40 md:hidden"
          aria-hidden="true"
          onClick={() => dispatch(sidebarToggled(false))}
        />
      ) : null}
      <Sidebar open={sidebarOpen} />
      <div className="flex min-w-0 flex-1 flex-col">
        {route.name === "settings" || route.name === "admin" ? (
          // A phone's top bar for the screens without a chat header: back to the chat one
          // came from, the screen's title, the conversations drawer.
          <header className="flex h-14 shrink-0 items-center gap-1 border-b border-line px-2 md:hidden">
            <IconButton
              label={t("nav.back")}
              onClick={() => navigate(lastChat.current ?? { name: "chat", conversationId: null })}
            >
              <ChevronLeftIcon />
            </IconButton>
            <h1 className="min-w-0 flex-1 truncate font-semibold" data-testid="screen-title">
              {route.name === "settings" ? t("settings.title") : t("admin.title")}
            </h1>
            <IconButton label={t("nav.openSidebar")} onClick={() => dispatch(sidebarToggled(true))}>
              <MenuIcon />
            </IconButton>
          </header>
        ) : null}
        <main
          id="main"
          tabIndex={-1}
          className="flex min-h-0 flex-1 flex-col overflow-y-auto focus:outline-none"
        >
          {route.name === "chat" ? <ChatScreen conversationId={route.conversationId} /> : null}
          {route.name === "settings" ? <SettingsScreen tab={route.tab} /> : null}
          {route.name === "admin" ? <AdminScreen /> : null}
        </main>
      </div>
      <CommandPalette
        open={paletteOpen}
        onClose={() => setPaletteOpen(false)}
        onShowShortcuts={() => setSheetOpen(true)}
        onSearch={() => requestAction("search")}
      />
      <ShortcutSheet open={sheetOpen} onClose={() => setSheetOpen(false)} />
    </div>
  );
}

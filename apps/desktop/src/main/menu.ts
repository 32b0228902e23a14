import type { MenuItemConstructorOptions } from "electron";

/**
 * The application menu with the shortcuts people expect: Edit (undo, copy, paste, select
 * all; text fields depend on these on macOS), View (zoom, full screen, reload), Window,
 * and "Server…" (Cmd/Ctrl+,) to change the Parley server. Developer tools only in development.
 */
export function buildMenuTemplate(opts: {
  os: string;
  isDev: boolean;
  openServerSettings: () => void;
}): MenuItemConstructorOptions[] {
  const isMac = opts.os === "darwin";
  const serverItem: MenuItemConstructorOptions = {
    label: "Server…",
    accelerator: "CmdOrCtrl+,",
    click: opts.openServerSettings,
  };
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    template.push({
      label: "Parley",
      submenu: [
        { role: "about" },
        { type: "separator" },
        serverItem,
        { type: "separator" },
        { role: "services" },
        { type: "separator" },
        { role: "hide" },
        { role: "hideOthers" },
        { role: "unhide" },
        { type: "separator" },
        { role: "quit" },
      ],
    });
  }
  template.push(
    {
      label: "File",
      submenu: isMac ? [{ role: "close" }] : [serverItem, { type: "separator" }, { role: "quit" }],
    },
    {
      label: "Edit",
      submenu: [
        { role: "undo" },
        { role: "redo" },
        { type: "separator" },
        { role: "cut" },
        { role: "copy" },
        { role: "paste" },
        ...(isMac ? [{ role: "pasteAndMatchStyle" } as const] : []),
        { role: "delete" },
        { role: "selectAll" },
      ],
    },
    {
      label: "View",
      submenu: [
        { role: "reload" },
        ...(opts.isDev ? [{ role: "toggleDevTools" } as const] : []),
        { type: "separator" },
        { role: "resetZoom" },
        { role: "zoomIn" },
        { role: "zoomOut" },
        { type: "separator" },
        { role: "togglefullscreen" },
      ],
    },
    {
      label: "Window",
      submenu: isMac
        ? [{ role: "minimize" }, { role: "zoom" }, { type: "separator" }, { role: "front" }]
        : [{ role: "minimize" }, { role: "close" }],
    },
  );
  if (!isMac) template.push({ role: "help", submenu: [{ role: "about" }] });
  return template;
}

import type { BrowserWindowConstructorOptions, WebPreferences } from "electron";
import type { WindowBounds } from "./window-state";

/**
 * Electron's security checklist, as flags: the page runs sandboxed, cannot reach Node, and
 * sees the preload's bridge only through context isolation.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
  };
}

export function mainWindowOptions(opts: {
  preloadPath: string;
  bounds: WindowBounds;
  os: string;
}): BrowserWindowConstructorOptions {
  return {
    x: opts.bounds.x,
    y: opts.bounds.y,
    width: opts.bounds.width,
    height: opts.bounds.height,
    minWidth: 480,
    minHeight: 400,
    title: "Parley",
    // Shown on ready-to-show, so the window never flashes white before the UI paints.
    show: false,
    backgroundColor: "#111827",
    // macOS keeps its native traffic lights inset in our own title bar area; elsewhere the
    // OS draws a normal native frame.
    ...(opts.os === "darwin" ? { titleBarStyle: "hiddenInset" as const } : {}),
    webPreferences: secureWebPreferences(opts.preloadPath),
  };
}

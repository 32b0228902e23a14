import type { PlatformBridge } from "@parley/ui";
import { bridgeGlobalName, type DesktopBridge } from "../shared/ipc";

declare global {
  interface Window {
    [bridgeGlobalName]?: DesktopBridge;
  }
}

/** The preload's bridge; its absence means the page was opened outside the desktop shell. */
export function desktopBridge(): DesktopBridge {
  const bridge = window[bridgeGlobalName];
  if (!bridge)
    throw new Error(
      "window.parleyDesktop is missing: this page runs only inside the Parley desktop app.",
    );
  return bridge;
}

/** What the shared UI gets on desktop: the chosen server, the keychain, native notifications. */
export function createPlatformBridge(desktop: DesktopBridge, serverUrl: string): PlatformBridge {
  return {
    kind: "desktop",
    apiBaseUrl: serverUrl,
    routing: "hash",
    refreshTokenStore: {
      get: () => desktop.getRefreshToken(),
      set: async (token) => {
        await desktop.setRefreshToken(token);
      },
    },
    notify: (title, body) => {
      void desktop.notifyReplyComplete(title, body);
    },
    openExternal: (url) => {
      void desktop.openExternal(url);
    },
  };
}

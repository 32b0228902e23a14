import type { ExternalOpenResult, ServerCheck } from "../shared/ipc";
import type { IpcHandlers } from "./ipc";
import type { SettingsStore } from "./settings-store";
import type { TokenVault } from "./token-vault";

/**
 * What each bridge method does in the main process. Separate from index.ts so the
 * Chromium test runs the very same handlers behind its stand-in for the preload.
 */
export function createIpcHandlers(deps: {
  settings: SettingsStore;
  vault: TokenVault;
  checkServer: (url: string) => Promise<ServerCheck>;
  notifyReply: (title: string, body: string) => unknown;
  openExternal: (url: string) => Promise<ExternalOpenResult>;
}): IpcHandlers {
  const { settings, vault } = deps;
  return {
    getServerUrl: () => settings.get().serverUrl,
    checkServerUrl: (url) => deps.checkServer(url),
    // Checked again here: the renderer's word that a server is fine is not taken.
    saveServerUrl: async (url) => {
      const check = await deps.checkServer(url);
      if (!check.ok) return check;
      if (check.url !== settings.get().serverUrl) {
        // A refresh token is only valid on the server that issued it.
        await vault.set(null);
        await settings.update({ serverUrl: check.url });
      }
      return check;
    },
    getRefreshToken: () => vault.get(),
    setRefreshToken: (token) => vault.set(token),
    getTokenStorage: () => vault.storageInfo(),
    notifyReplyComplete: (title, body) => {
      deps.notifyReply(title, body);
    },
    openExternal: (url) => deps.openExternal(url),
  };
}

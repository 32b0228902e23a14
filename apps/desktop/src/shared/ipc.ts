/**
 * The one contract between the renderer and the main process. The preload exposes exactly
 * the `DesktopBridge` below on `window.parleyDesktop`, one named function per message; the
 * main process registers one handler per entry of `invokeChannels`. Nothing else crosses.
 */

/** Why a server URL was not accepted, in words the first-run screen shows as they are. */
export type ServerProblem =
  | "invalid-url" // not an http(s) URL we can use
  | "unreachable" // connection refused, unknown host, TLS failure
  | "timeout" // no answer in time
  | "not-parley" // something answers, but it is not a Parley server
  | "unhealthy" // a Parley server that reports it cannot serve (e.g. its database is down)
  | "origin-not-allowed"; // a Parley server whose CORS_ORIGINS does not include the app

export type ServerCheck =
  { ok: true; url: string } | { ok: false; problem: ServerProblem; message: string };

/** Where the refresh token goes: the OS keychain through safeStorage, or nowhere lasting. */
export interface TokenStorageInfo {
  /** True when tokens are encrypted by the OS keychain and survive a restart. */
  persistent: boolean;
  /** Why not, when not: the UI tells the user they will sign in at every start. */
  reason: string | null;
}

export type ExternalOpenResult = { opened: true } | { opened: false; reason: string };

export interface DesktopBridge {
  /** The saved server URL, or null on first run. */
  getServerUrl(): Promise<string | null>;
  /** Checks that a URL is a reachable Parley server, without saving it. */
  checkServerUrl(url: string): Promise<ServerCheck>;
  /** Checks again in the main process and saves on success. A new server drops the stored
   * refresh token (it belongs to the old one); the renderer reloads to pick up the new CSP. */
  saveServerUrl(url: string): Promise<ServerCheck>;
  getRefreshToken(): Promise<string | null>;
  /** Stores (or with null, forgets) the refresh token. Without a secure OS backend it is
   * kept in memory only, so the next start asks to sign in. */
  setRefreshToken(token: string | null): Promise<TokenStorageInfo>;
  getTokenStorage(): Promise<TokenStorageInfo>;
  /** Shows a native notification if the window is hidden, minimized or in the background. */
  notifyReplyComplete(title: string, body: string): Promise<void>;
  /** Opens an http(s) link in the system browser after checks. */
  openExternal(url: string): Promise<ExternalOpenResult>;
  /** Main → renderer: the menu's "Server…" item. Returns an unsubscribe function. */
  onOpenServerSettings(listener: () => void): () => void;
  /** The OS, so the renderer can leave room for macOS's inset traffic lights. */
  readonly os: string;
}

/** Bridge methods that are requests answered by the main process. */
export type InvokeMethod = Exclude<keyof DesktopBridge, "onOpenServerSettings" | "os">;

export const invokeChannels = {
  getServerUrl: "parley:server:get",
  checkServerUrl: "parley:server:check",
  saveServerUrl: "parley:server:save",
  getRefreshToken: "parley:token:get",
  setRefreshToken: "parley:token:set",
  getTokenStorage: "parley:token:storage",
  notifyReplyComplete: "parley:notify:reply-complete",
  openExternal: "parley:external:open",
} as const satisfies Record<InvokeMethod, string>;

/** Messages the main process sends to the renderer. */
export const eventChannels = {
  onOpenServerSettings: "parley:menu:open-server-settings",
} as const satisfies Record<Exclude<keyof DesktopBridge, InvokeMethod | "os">, string>;

export type InvokeArgs<M extends InvokeMethod> = Parameters<DesktopBridge[M]>;
export type InvokeResult<M extends InvokeMethod> = Awaited<ReturnType<DesktopBridge[M]>>;

/** Size limits for everything the renderer sends; the main process refuses larger input. */
export const ipcLimits = {
  url: 2_048,
  token: 4_096,
  notificationTitle: 200,
  notificationBody: 1_000,
} as const;

/** The property the preload defines on `window`. */
export const bridgeGlobalName = "parleyDesktop";

/**
 * What the host (the web page or the Electron shell) provides to the shared UI.
 * Keep this stable: apps/desktop mounts ParleyApp with its own implementation.
 */
export interface PlatformBridge {
  kind: "web" | "desktop";
  /** "" = same origin (web); e.g. "http://localhost:3000" on desktop. */
  apiBaseUrl: string;
  /** Desktop keeps the refresh token in the OS keychain; absent on web (HttpOnly cookie). */
  refreshTokenStore?: {
    get(): Promise<string | null>;
    set(token: string | null): Promise<void>;
  };
  /** Desktop: a native notification when a reply completes while the window is hidden. */
  notify?(title: string, body: string): void;
  /** Opens a link in the system browser (desktop); the web opens a new tab instead. */
  openExternal?(url: string): void;
  /** How screens are addressed: "path" (/c/123, needs an SPA fallback on the server) or
   * "hash" (#/c/123, for file:// or custom-protocol hosts). Default: "path" on web, "hash" on desktop. */
  routing?: "path" | "hash";
}

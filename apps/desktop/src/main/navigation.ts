import { isAppUrl } from "./app-origin";

type Preventable = { preventDefault(): void };

/** The parts of WebContents the guard hooks into. */
export interface GuardedContents {
  on(event: "will-navigate", listener: (event: Preventable, url: string) => void): unknown;
  on(event: "will-redirect", listener: (event: Preventable, url: string) => void): unknown;
  on(event: "will-attach-webview", listener: (event: Preventable) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: "deny" }): void;
}

/**
 * The page may never leave the app's origin or open windows of its own: a link to the web
 * goes to the system browser instead (after the checks in external.ts), anything else is
 * dropped. Protects against an injected link or script taking over the privileged window.
 */
export function guardNavigation(
  contents: GuardedContents,
  opts: { appUrl: string; openExternal: (url: string) => unknown },
): void {
  const stayInApp = (event: Preventable, url: string) => {
    if (isAppUrl(url, opts.appUrl)) return;
    event.preventDefault();
    void opts.openExternal(url);
  };
  contents.on("will-navigate", stayInApp);
  contents.on("will-redirect", stayInApp);
  // The webview tag is off in webPreferences; this refuses it even if something re-enables it.
  contents.on("will-attach-webview", (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    void opts.openExternal(url);
    return { action: "deny" };
  });
}

/** Permissions the page may use; everything else (camera, geolocation, web notifications,
 * which we replace with native ones) is refused. */
const allowedPermissions = new Set(["clipboard-sanitized-write", "fullscreen"]);

export function allowPermission(
  permission: string,
  requestingUrl: string,
  appUrl: string,
): boolean {
  return allowedPermissions.has(permission) && isAppUrl(requestingUrl, appUrl);
}

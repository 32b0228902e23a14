/**
 * The renderer's own address. Packaged builds load it from the privileged `app://parley/`
 * scheme (a real origin, unlike file://, so CSP 'self' and CORS mean something); in
 * development electron-vite serves it from a local dev server.
 */
export const appScheme = "app";
export const appHost = "parley";
export const packagedAppUrl = `${appScheme}://${appHost}/index.html`;

/**
 * True when `url` is on the same origin as the app's own page. Compares scheme, host and
 * port by hand because WHATWG URL reports the origin of custom schemes as "null".
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  let candidate: URL;
  let app: URL;
  try {
    candidate = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  return (
    candidate.protocol === app.protocol && candidate.host === app.host && candidate.host !== ""
  );
}

/** "app://parley" or "http://localhost:5173": what the page sends as its Origin header. */
export function originOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

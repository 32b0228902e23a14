/**
 * The renderer's Content-Security-Policy. Scripts and styles come only from the app itself;
 * the network is the app and the one Parley server the user chose (connect-src changes
 * with it, which is why the page reloads after the server is changed). No frames, plugins,
 * forms posting elsewhere, or <base> tricks.
 */
export function contentSecurityPolicy(opts: {
  serverOrigin: string | null;
  devServerOrigin?: string | null;
}): string {
  const server = opts.serverOrigin ? [opts.serverOrigin] : [];
  const dev = opts.devServerOrigin ?? null;
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // The dev server's React Fast Refresh preamble is an inline script; packaged builds have none.
    "script-src": dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    // Vite injects <style> tags in development; packaged builds load CSS files.
    "style-src": dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    "img-src": ["'self'", "data:", "blob:", ...server],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...server, ...(dev ? [dev.replace(/^http/, "ws")] : [])],
    "media-src": ["'self'", "blob:"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "frame-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    // No web app manifest: the desktop app is never offered as an installable PWA.
    "manifest-src": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

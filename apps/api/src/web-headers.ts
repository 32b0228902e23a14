import type { MiddlewareHandler } from "hono";

/**
 * The Content-Security-Policy of the web app. Everything comes from our own origin: Vite's
 * build emits only external scripts and stylesheets (no inline code), KaTeX fonts are files,
 * and rendered Markdown never loads remote images. React's `style` props go through the
 * CSSOM, which style-src does not restrict, so no 'unsafe-inline' is needed anywhere.
 */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Security and caching headers for the static web app (not for /trpc or health routes). */
export function webAppHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const path = c.req.path;
    if (path.startsWith("/trpc/") || path === "/trpc") return;
    const headers = c.res.headers;
    headers.set("Content-Security-Policy", WEB_APP_CSP);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (path.startsWith("/assets/")) {
      // File names carry a content hash: safe to keep forever.
      headers.set("Cache-Control", "public, max-age=31536000, immutable");
    } else {
      // The shell, the service worker and the manifest must be revalidated on every load,
      // so a deploy reaches people at once.
      headers.set("Cache-Control", "no-cache");
    }
  };
}

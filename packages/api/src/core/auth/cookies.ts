import type { RequestMeta } from "../context";
import { DomainError } from "../errors";

/** The web app's refresh token. Path=/trpc: only API calls carry it, never static files. */
export const REFRESH_COOKIE = "parley_refresh";
const COOKIE_PATH = "/trpc";

export function readRefreshCookie(req: RequestMeta): string | null {
  return readCookie(req, REFRESH_COOKIE);
}

export function setRefreshCookie(req: RequestMeta, token: string, maxAgeSeconds: number): void {
  setCookie(req, REFRESH_COOKIE, token, { path: COOKIE_PATH, maxAgeSeconds });
}

export function clearRefreshCookie(req: RequestMeta): void {
  clearCookie(req, REFRESH_COOKIE, { path: COOKIE_PATH });
}

export function readCookie(req: RequestMeta, name: string): string | null {
  const header = req.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value || null;
    }
  }
  return null;
}

/** An HttpOnly, SameSite=Lax cookie, Secure except on localhost. */
export function setCookie(
  req: RequestMeta,
  name: string,
  value: string,
  options: { path: string; maxAgeSeconds: number },
): void {
  req.responseHeaders.append("Set-Cookie", cookie(req, name, value, options));
}

export function clearCookie(req: RequestMeta, name: string, options: { path: string }): void {
  req.responseHeaders.append("Set-Cookie", cookie(req, name, "", { ...options, maxAgeSeconds: 0 }));
}

function cookie(
  req: RequestMeta,
  name: string,
  value: string,
  options: { path: string; maxAgeSeconds: number },
): string {
  const parts = [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  // Exactly when the request came over HTTPS: a Secure cookie set over plain HTTP (a LAN
  // address such as http://192.168.1.20:3000) would be dropped and the session lost on reload.
  if (req.secure) parts.push("Secure");
  return parts.join("; ");
}

/**
 * Cookie-authenticated mutations must come from the app itself: the `Origin` header must
 * name this API's own host or one of the configured origins. SameSite=Lax already keeps the
 * cookie off cross-site POSTs; this also covers same-site sibling origins and old browsers.
 */
export function assertAllowedOrigin(
  req: RequestMeta,
  allowedOrigins: string[],
  { required }: { required: boolean },
) {
  const origin = req.headers.get("origin");
  if (!origin) {
    if (!required) return;
    throw new DomainError("FORBIDDEN", "Missing Origin header on a cookie-authenticated request");
  }
  if (allowedOrigins.includes(origin)) return;
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = null;
  }
  const ownHost = req.headers.get("host");
  if (originHost && ownHost && originHost === ownHost) return;
  throw new DomainError("FORBIDDEN", `Origin ${origin.slice(0, 200)} is not allowed`);
}

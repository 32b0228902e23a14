import { ipcLimits } from "./ipc";

export const defaultServerUrl = "http://localhost:3000";

export type NormalizedServerUrl = { ok: true; url: string } | { ok: false; message: string };

/**
 * Turns what a person types ("localhost:3000", "https://chat.example.com/") into the base
 * URL the app stores: http(s) only, no credentials, query or fragment, no trailing slash.
 * A path is kept so a server behind a reverse proxy at /parley works.
 */
export function normalizeServerUrl(input: string): NormalizedServerUrl {
  const trimmed = input.trim();
  if (!trimmed) return { ok: false, message: "Enter the address of your Parley server." };
  if (trimmed.length > ipcLimits.url) return { ok: false, message: "That address is too long." };
  // Without a scheme, `new URL("localhost:3000")` would read "localhost:" as the scheme.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, message: `"${trimmed}" is not a valid address.` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, message: "The server address must start with http:// or https://." };
  }
  if (url.username || url.password) {
    return { ok: false, message: "The server address must not contain a user name or password." };
  }
  if (url.search || url.hash) {
    return { ok: false, message: "The server address must not contain ? or #." };
  }
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, "")}` };
}

/** The origin part, for the Content-Security-Policy's connect-src. */
export function serverOrigin(baseUrl: string): string {
  return new URL(baseUrl).origin;
}

import { readFile } from "node:fs/promises";
import path from "node:path";
import { appHost } from "./app-origin";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
};

/**
 * Serves the built renderer for the `app://parley/` scheme, with the CSP as a header (so it
 * can name the chosen server, which a <meta> baked in at build time could not). Only files
 * inside `rendererDir` are served; `..` tricks get a 404. Kept free of Electron so the
 * Chromium test serves the very same responses over HTTP.
 */
export function createRendererFileResponder(opts: {
  rendererDir: string;
  contentSecurityPolicy: () => string;
  /** The host the app's URLs use; the Chromium test serves over http://127.0.0.1:PORT. */
  host?: string | null;
}): (requestUrl: string) => Promise<Response> {
  const root = path.resolve(opts.rendererDir);
  const expectedHost = opts.host === undefined ? appHost : opts.host;
  return async (requestUrl) => {
    let url: URL;
    try {
      url = new URL(requestUrl);
    } catch {
      return notFound();
    }
    if (expectedHost !== null && url.host !== expectedHost) return notFound();
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return notFound();
    }
    const relative = pathname === "/" ? "index.html" : pathname.replace(/^\/+/, "");
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep)) return notFound();
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return notFound();
    }
    const headers = new Headers({
      "content-type": contentTypes[path.extname(file).toLowerCase()] ?? "application/octet-stream",
      "x-content-type-options": "nosniff",
      "cache-control": "no-cache",
    });
    if (file.endsWith(".html"))
      headers.set("content-security-policy", opts.contentSecurityPolicy());
    return new Response(new Uint8Array(body), { status: 200, headers });
  };
}

function notFound(): Response {
  return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
}

import {
  beginOidcSignIn,
  completeOidcSignIn,
  OIDC_CALLBACK_PATH,
  type AppDeps,
  type RequestMeta,
} from "@parley/api";
import type { Context, Hono } from "hono";
import { requestMetaOf } from "./route-caller";

/**
 * Single sign-on's two browser stops: /auth/oidc/start redirects to the provider, and the
 * provider redirects back to /auth/oidc/callback, which starts a session (the same refresh
 * cookie a password sign-in sets) and sends the browser to the app. Failures land on the
 * sign-in screen as `/?sso_error=<reason>`; details go to the log only.
 */
export function mountOidcRoutes<E extends { Variables: { responseHeaders: Headers } }>(
  app: Hono<E>,
  deps: AppDeps,
  options: {
    clientIp: (c: Context<E>) => string;
    /** The request came over HTTPS (see app.ts): the refresh cookie is then Secure. */
    secure: (c: Context<E>) => boolean;
    publicUrl: (c: Context<E>) => URL;
    log: (message: string) => void;
  },
) {
  const meta = (c: Context<E>): RequestMeta =>
    requestMetaOf(c, { ip: options.clientIp(c), secure: options.secure(c) });
  const redirect = (req: RequestMeta, location: string) => {
    const headers = new Headers(req.responseHeaders);
    headers.set("Location", location);
    headers.set("Cache-Control", "no-store");
    return new Response(null, { status: 302, headers });
  };

  app.get("/auth/oidc/start", async (c) => {
    if (!deps.oidc) return c.json({ error: "Single sign-on is not configured" }, 404);
    const req = meta(c);
    try {
      const invite = c.req.query("invite") ?? null;
      const url = await beginOidcSignIn(deps, req, { requestUrl: options.publicUrl(c), invite });
      return redirect(req, url.toString());
    } catch (error) {
      options.log(`oidc: cannot start sign-in: ${(error as Error).message}`);
      return redirect(req, "/?sso_error=provider");
    }
  });

  app.get(OIDC_CALLBACK_PATH, async (c) => {
    if (!deps.oidc) return c.json({ error: "Single sign-on is not configured" }, 404);
    const req = meta(c);
    const outcome = await completeOidcSignIn(deps, req, new URL(c.req.url), options.log);
    return redirect(req, outcome.ok ? "/" : `/?sso_error=${outcome.failure}`);
  });
}

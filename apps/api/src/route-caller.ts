import {
  callerHasScope,
  createRequestContext,
  type ApiKeyScope,
  type AppDeps,
  type AuthUser,
  type RequestMeta,
} from "@parley/api";
import type { Context, Env } from "hono";
import { noteRequestUser, requestIdOf } from "./logging";

type Json = Record<string, unknown>;

/** The JSON refusal of the plain HTTP routes: `{ error, ...extra }`. */
export const problem = (c: Context, status: number, error: string, extra: Json = {}) =>
  c.json({ error, ...extra }, status as 400);

/** What a call's context knows of its request; the address and the scheme are app.ts's to
 * decide (behind a trusted proxy or not), so the caller passes them in. */
export function requestMetaOf<E extends Env>(
  c: Context<E>,
  from: { ip: string; secure: boolean; responseHeaders?: Headers },
): RequestMeta {
  return {
    ip: from.ip,
    userAgent: c.req.header("user-agent") ?? null,
    headers: c.req.raw.headers,
    responseHeaders: from.responseHeaders ?? new Headers(),
    secure: from.secure,
    requestId: requestIdOf(c),
  };
}

/** The caller of a plain HTTP route, authenticated like tRPC: a Bearer access token or a
 * personal API key. */
async function caller(deps: AppDeps, c: Context): Promise<AuthUser | null> {
  // Only the caller is needed here: no cookie is set, so whether it is Secure is moot.
  const { user } = await createRequestContext(deps, requestMetaOf(c, { ip: "", secure: false }));
  noteRequestUser(c, user?.id);
  return user;
}

/**
 * The caller of a plain HTTP route when signed in and, for an API key, holding `scope`;
 * otherwise the response that refuses the call (503 when the sign-in check cannot be made,
 * 401, 403), for the route to return as it is.
 */
export async function callerWithScope(
  deps: AppDeps,
  c: Context,
  scope: ApiKeyScope,
): Promise<AuthUser | Response> {
  let user: AuthUser | null;
  try {
    user = await caller(deps, c);
  } catch {
    return problem(c, 503, "Sign-in check unavailable, try again");
  }
  if (!user) return problem(c, 401, "Sign in first");
  if (!callerHasScope(user, scope))
    return problem(c, 403, `This API key lacks the \`${scope}\` scope`);
  return user;
}

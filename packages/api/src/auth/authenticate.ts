import type { AppDeps, AuthUser, RequestMeta } from "../context";

/**
 * Resolves the caller from the request (Bearer access token, API key). Placeholder until
 * the auth work lands: every request is anonymous, so protected procedures answer
 * UNAUTHORIZED.
 */
export async function authenticateRequest(
  _deps: AppDeps,
  _req: RequestMeta,
): Promise<AuthUser | null> {
  return null;
}

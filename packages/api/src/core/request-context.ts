import { authenticateRequest } from "./auth/authenticate";
import { createContextInner, type AppDeps, type Context, type RequestMeta } from "./context";
import { toTRPCError } from "./errors";

/**
 * The context of one request: the caller resolved from its credential, then the plain
 * context. When the database is down this answers 503 (not UNAUTHORIZED, which would make
 * clients throw away a good session); any other failure is a 500.
 */
export async function createRequestContext(deps: AppDeps, req: RequestMeta): Promise<Context> {
  try {
    const user = await authenticateRequest(deps, req);
    return createContextInner({ deps, user, req });
  } catch (error) {
    throw toTRPCError(error) ?? error;
  }
}

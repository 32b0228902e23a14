import { auth as q } from "@parley/db";
import type { AppDeps, RequestMeta } from "../context";
import { DomainError } from "../errors";
import { enforceRateLimit, rateLimitKeys } from "../rate-limits";

/** Checks the caller's password before a sensitive change; rate limited per user. */
export async function reauthenticate(
  deps: Pick<AppDeps, "db" | "auth" | "rateLimiter">,
  userId: string,
  password: string,
  req: RequestMeta,
  field: string,
) {
  await enforceRateLimit(
    deps.rateLimiter,
    req,
    rateLimitKeys.reauthUser(userId),
    deps.auth.config.rateLimits.reauthPerUser,
    "Too many password attempts",
  );
  const row = await q.findPasswordHash(deps.db, userId);
  const ok = await deps.auth.passwords.verify(row?.passwordHash ?? null, password);
  if (!ok) throw new DomainError("BAD_REQUEST", "Password is incorrect", { field });
}

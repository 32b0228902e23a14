import { auth as q } from "@parley/db";
import { recordAudit } from "../../core/audit";
import type { AppDeps, RequestMeta } from "../../core/context";
import { DomainError } from "../../core/errors";
import type { ApiKeyInfo, CreatedApiKey } from "../../core/auth/public-types";
import { forgetCredentials } from "../../core/auth/sessions";
import { generateApiKey, hashToken } from "../../core/auth/tokens";

/** Enough for any real set of tools; stops a script from filling the table. */
export const MAX_ACTIVE_API_KEYS = 25;

/** Creates a key; the secret is in this return value only and is never shown again. */
export async function createApiKey(
  deps: AppDeps,
  userId: string,
  name: string,
  req: RequestMeta,
): Promise<CreatedApiKey> {
  if ((await q.countActiveApiKeys(deps.db, userId)) >= MAX_ACTIVE_API_KEYS) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      `At most ${MAX_ACTIVE_API_KEYS} API keys; revoke one first`,
    );
  }
  const { secret, displayPrefix } = generateApiKey();
  const key = await q.createApiKey(deps.db, {
    userId,
    name,
    prefix: displayPrefix,
    keyHash: hashToken(secret),
  });
  await recordAudit(deps, req, {
    action: "api_key.created",
    userId,
    actorId: userId,
    details: { keyId: key.id, name: key.name, prefix: key.prefix },
  });
  return { ...key, secret };
}

export async function revokeApiKey(
  deps: AppDeps,
  userId: string,
  id: string,
  req: RequestMeta,
): Promise<void> {
  const keyHash = await q.revokeApiKey(deps.db, { id, userId });
  // Another user's key looks exactly like a missing one.
  if (!keyHash) throw new DomainError("NOT_FOUND", "API key not found");
  await forgetCredentials(deps, { apiKeyHashes: [keyHash] });
  await recordAudit(deps, req, {
    action: "api_key.revoked",
    userId,
    actorId: userId,
    details: { keyId: id },
  });
}

export function listApiKeys(deps: AppDeps, userId: string): Promise<ApiKeyInfo[]> {
  return q.listApiKeys(deps.db, userId);
}

import { auth as q } from "@parley/db";
import { recordAudit } from "../../core/audit";
import { API_KEY_SCOPES, type AuthUser, type RequestMeta } from "../../core/context";
import type { AuthFeatureDeps } from "./service";
import { DomainError } from "../../core/errors";
import type { ApiKeyInfo, CreatedApiKey } from "../../core/auth/public-types";
import { forgetCredentials } from "../../core/auth/sessions";
import { generateApiKey, hashToken } from "../../core/auth/tokens";
import type { CreateApiKeyInput } from "./schemas";

/** Enough for any real set of tools; stops a script from filling the table. */
export const MAX_ACTIVE_API_KEYS = 25;

/** Creates a key; the secret is in this return value only and is never shown again. */
export async function createApiKey(
  deps: AuthFeatureDeps,
  owner: Pick<AuthUser, "id" | "role">,
  input: CreateApiKeyInput,
  req: RequestMeta,
): Promise<CreatedApiKey> {
  const userId = owner.id;
  // Stored in a fixed order, each once, whatever order the caller sent.
  const scopes = API_KEY_SCOPES.filter((s) => input.scopes.includes(s));
  if (scopes.includes("admin") && owner.role !== "admin") {
    throw new DomainError("FORBIDDEN", "Only admins may create keys with the admin scope", {
      field: "scopes",
    });
  }
  if ((await q.countActiveApiKeys(deps.db, userId)) >= MAX_ACTIVE_API_KEYS) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      `At most ${MAX_ACTIVE_API_KEYS} API keys; revoke one first`,
    );
  }
  const { secret, displayPrefix } = generateApiKey(userId);
  const key = await q.createApiKey(deps.db, {
    userId,
    name: input.name,
    prefix: displayPrefix,
    keyHash: hashToken(secret),
    scopes,
    expiresAt: input.expiresAt ?? null,
  });
  await recordAudit(deps, req, {
    action: "api_key.created",
    userId,
    actorId: userId,
    details: {
      keyId: key.id,
      name: key.name,
      prefix: key.prefix,
      scopes: scopes.join(","),
      expiresAt: key.expiresAt?.toISOString() ?? null,
    },
  });
  return { ...toInfo(key), secret };
}

export async function revokeApiKey(
  deps: AuthFeatureDeps,
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

export async function listApiKeys(deps: AuthFeatureDeps, userId: string): Promise<ApiKeyInfo[]> {
  return (await q.listApiKeys(deps.db, userId)).map(toInfo);
}

type KeyRow = Awaited<ReturnType<typeof q.listApiKeys>>[number];

function toInfo(row: KeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    scopes: API_KEY_SCOPES.filter((s) => (row.scopes ?? ["chat", "read"]).includes(s)),
    expiresAt: row.expiresAt,
  };
}

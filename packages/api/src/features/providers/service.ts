import { randomUUID } from "node:crypto";
import { providers as q, UniqueViolationError, type ProviderRow } from "@parley/db";
import { recordAudit } from "../../core/audit";
import type { AppDeps, RequestMeta } from "../../core/context";
import { DomainError } from "../../core/errors";
import { openProviderKey, sealProviderKey } from "../../core/provider-keys";
import { probeEndpoint, type ProbeResult } from "./probe";
import {
  providerLimits,
  type CreateProviderInput,
  type TestProviderInput,
  type UpdateProviderInput,
} from "./schemas";

/** What this feature reads of AppDeps: the table, the key ring, and the chat runtime, told
 * after each change so every replica's model list follows. */
export type ProvidersDeps = Pick<AppDeps, "db" | "keyRing" | "chat">;

/** A provider as admins see it: never the key, only whether one is set. */
export interface ProviderInfo {
  id: string;
  name: string;
  baseUrl: string;
  hasApiKey: boolean;
  /** Empty: every model the endpoint lists. */
  models: string[];
  /** Null: every model takes images (the environment's without AI_VISION_MODELS). */
  visionModels: string[] | null;
  enabled: boolean;
  /** Set by environment variables: read-only here. */
  environment: boolean;
  createdAt: Date | null;
  updatedAt: Date | null;
}

const notFound = () => new DomainError("NOT_FOUND", "Provider not found", { field: "id" });

function describe(row: ProviderRow): ProviderInfo {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.baseUrl,
    hasApiKey: row.apiKeySealed !== null,
    models: row.models,
    visionModels: row.visionModels,
    enabled: row.enabled,
    environment: false,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function nameTaken<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof UniqueViolationError)
      throw new DomainError("CONFLICT", "A provider with this name exists", { field: "name" });
    throw error;
  }
}

/** Only models on offer may be marked as taking images. */
function checkVision(input: { models: string[]; visionModels: string[] }) {
  const unknown = input.models.length
    ? input.visionModels.find((m) => !input.models.includes(m))
    : undefined;
  if (unknown)
    throw new DomainError(
      "BAD_REQUEST",
      `"${unknown}" takes images but is not among the models offered`,
      { field: "visionModels" },
    );
}

/** Every model reader on every replica drops what it knew of the providers. */
async function changed(deps: ProvidersDeps) {
  await deps.chat?.provider.changed();
}

export async function listProviders(deps: ProvidersDeps): Promise<ProviderInfo[]> {
  const rows = await q.listProviders(deps.db);
  const env = deps.chat?.provider.environment;
  const fromEnv: ProviderInfo[] = env
    ? [
        {
          id: env.id,
          name: "Environment",
          baseUrl: env.baseUrl,
          hasApiKey: env.hasApiKey,
          models: env.models,
          visionModels: env.visionModels,
          enabled: true,
          environment: true,
          createdAt: null,
          updatedAt: null,
        },
      ]
    : [];
  return [...fromEnv, ...rows.map(describe)];
}

export async function createProvider(
  deps: ProvidersDeps,
  adminId: string,
  input: CreateProviderInput,
  req: RequestMeta | null,
): Promise<ProviderInfo> {
  checkVision(input);
  if ((await q.countProviders(deps.db)) >= providerLimits.count)
    throw new DomainError("BAD_REQUEST", `At most ${providerLimits.count} providers`, {
      field: "name",
    });
  const { apiKey, ...fields } = input;
  // The id is chosen here: the key is sealed under a context that names it.
  const id = randomUUID();
  const row = await nameTaken(
    q.createProvider(deps.db, id, {
      ...fields,
      apiKeySealed: apiKey ? sealProviderKey(deps.keyRing, id, apiKey) : null,
    }),
  );
  await recordAudit(deps, req, {
    action: "provider.created",
    userId: adminId,
    actorId: adminId,
    details: { providerId: id, name: row.name, baseUrl: row.baseUrl },
  });
  await changed(deps);
  return describe(row);
}

export async function updateProvider(
  deps: ProvidersDeps,
  adminId: string,
  input: UpdateProviderInput,
  req: RequestMeta | null,
): Promise<ProviderInfo> {
  checkVision(input);
  const { id, apiKey, ...fields } = input;
  const key =
    apiKey === undefined
      ? {}
      : { apiKeySealed: apiKey ? sealProviderKey(deps.keyRing, id, apiKey) : null };
  const row = await nameTaken(q.updateProvider(deps.db, id, { ...fields, ...key }));
  if (!row) throw notFound();
  await recordAudit(deps, req, {
    action: "provider.updated",
    userId: adminId,
    actorId: adminId,
    details: {
      providerId: id,
      name: row.name,
      baseUrl: row.baseUrl,
      enabled: row.enabled,
      apiKey: apiKey === undefined ? "kept" : apiKey ? "replaced" : "cleared",
    },
  });
  await changed(deps);
  return describe(row);
}

/** Conversations that used its models keep their messages; their next reply goes to the
 * default model (chat's resolveModel). */
export async function deleteProvider(
  deps: ProvidersDeps,
  adminId: string,
  id: string,
  req: RequestMeta | null,
): Promise<{ id: string }> {
  const row = await q.deleteProvider(deps.db, id);
  if (!row) throw notFound();
  await recordAudit(deps, req, {
    action: "provider.deleted",
    userId: adminId,
    actorId: adminId,
    details: { providerId: id, name: row.name },
  });
  await changed(deps);
  return { id };
}

/** Asks the endpoint for its models with the given key, or the stored one. */
export async function testProvider(
  deps: ProvidersDeps,
  input: TestProviderInput,
): Promise<ProbeResult> {
  const stored = input.id ? await q.getProvider(deps.db, input.id) : null;
  if (input.id && !stored) throw notFound();
  const baseUrl = input.baseUrl ?? stored!.baseUrl;
  let apiKey: string | null = input.apiKey ?? null;
  if (input.apiKey === undefined && stored?.apiKeySealed) {
    try {
      apiKey = openProviderKey(deps.keyRing, stored.id, stored.apiKeySealed);
    } catch {
      throw new DomainError(
        "PRECONDITION_FAILED",
        "The stored API key cannot be opened (ENCRYPTION_KEY changed?); enter the key again",
        { field: "apiKey" },
      );
    }
  }
  return probeEndpoint(baseUrl, apiKey || null);
}

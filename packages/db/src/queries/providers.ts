import type { Database } from "../client";
import { rethrowUnique } from "../errors";

/**
 * Model providers admins add at run time (Settings → Providers). Instance-wide: no user_id,
 * a small reference table like `users` (read whole by every replica's provider registry).
 */

/** What admins see and the registry reads, the sealed key included: callers that answer a
 * client drop it (see the providers feature), the registry opens it. */
export const providerSelect = {
  id: true,
  name: true,
  baseUrl: true,
  apiKeySealed: true,
  models: true,
  visionModels: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
} as const;

export interface ProviderRow {
  id: string;
  name: string;
  baseUrl: string;
  apiKeySealed: string | null;
  models: string[];
  visionModels: string[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProviderFields {
  name: string;
  baseUrl: string;
  models: string[];
  visionModels: string[];
  enabled: boolean;
}

/** By name: the order the settings screen and the model picker show them in. */
export function listProviders(db: Database): Promise<ProviderRow[]> {
  return db.prisma.provider.findMany({
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: providerSelect,
  });
}

export function getProvider(db: Database, id: string): Promise<ProviderRow | null> {
  return db.prisma.provider.findUnique({ where: { id }, select: providerSelect });
}

export function countProviders(db: Database): Promise<number> {
  return db.prisma.provider.count();
}

/** The id comes from the caller: the key is sealed under a context that names it. A name
 * already taken is a UniqueViolationError on `name`. */
export function createProvider(
  db: Database,
  id: string,
  fields: ProviderFields & { apiKeySealed: string | null },
): Promise<ProviderRow> {
  return rethrowUnique(
    db.prisma.provider.create({ data: { id, ...fields }, select: providerSelect }),
  );
}

/** `apiKeySealed` undefined keeps the stored key. Null when there is no such provider. */
export async function updateProvider(
  db: Database,
  id: string,
  fields: ProviderFields & { apiKeySealed?: string | null },
): Promise<ProviderRow | null> {
  const { count } = await rethrowUnique(
    db.prisma.provider.updateMany({ where: { id }, data: fields }),
  );
  return count ? getProvider(db, id) : null;
}

/** The row as it was, or null when there was none. */
export async function deleteProvider(db: Database, id: string): Promise<ProviderRow | null> {
  const row = await getProvider(db, id);
  if (!row) return null;
  const { count } = await db.prisma.provider.deleteMany({ where: { id } });
  return count ? row : null;
}

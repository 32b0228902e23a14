import type { Database } from "../client";
import { rethrowUnique } from "../errors";

/** Saved ways to start a chat. Every query filters by user_id (one shard on Citus). */

export const presetSelect = {
  id: true,
  name: true,
  systemPrompt: true,
  model: true,
  temperature: true,
  createdAt: true,
  updatedAt: true,
} as const;

export interface PresetRow {
  id: string;
  name: string;
  systemPrompt: string | null;
  model: string | null;
  temperature: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PresetFields {
  name: string;
  systemPrompt: string | null;
  model: string | null;
  temperature: number | null;
}

/** By name: the order a menu shows them in. */
export function listPresets(db: Database, userId: string): Promise<PresetRow[]> {
  return db.prisma.preset.findMany({
    where: { userId },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: presetSelect,
  });
}

export function getPreset(db: Database, userId: string, id: string): Promise<PresetRow | null> {
  return db.prisma.preset.findFirst({ where: { userId, id }, select: presetSelect });
}

export function countPresets(db: Database, userId: string): Promise<number> {
  return db.prisma.preset.count({ where: { userId } });
}

/** A name the user already gave another preset is a UniqueViolationError on `name`. */
export function createPreset(db: Database, userId: string, fields: PresetFields) {
  return rethrowUnique(
    db.prisma.preset.create({ data: { userId, ...fields }, select: presetSelect }),
  );
}

/** Null when the preset does not exist or belongs to someone else. */
export async function updatePreset(
  db: Database,
  userId: string,
  id: string,
  fields: PresetFields,
): Promise<PresetRow | null> {
  const { count } = await rethrowUnique(
    db.prisma.preset.updateMany({ where: { userId, id }, data: fields }),
  );
  return count ? getPreset(db, userId, id) : null;
}

/** False when the preset does not exist or belongs to someone else. */
export async function deletePreset(db: Database, userId: string, id: string): Promise<boolean> {
  const { count } = await db.prisma.preset.deleteMany({ where: { userId, id } });
  return count > 0;
}

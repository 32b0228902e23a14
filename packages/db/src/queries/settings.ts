import type { Database } from "../client";
import type { Prisma } from "../generated/prisma/client";

/** Instance-wide switches set by admins at run time, one JSON value per key. */

export async function readSetting(db: Database, key: string): Promise<unknown> {
  const row = await db.prisma.instanceSetting.findUnique({
    where: { key },
    select: { value: true },
  });
  return row?.value ?? null;
}

export async function writeSetting(
  db: Database,
  key: string,
  value: Prisma.InputJsonValue,
): Promise<void> {
  await db.prisma.instanceSetting.upsert({
    where: { key },
    create: { key, value },
    update: { value },
    select: { key: true },
  });
}

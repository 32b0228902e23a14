import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Database, RawSql } from "./client";

export const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

// Any constant works; it only has to be the same in every replica.
const MIGRATION_LOCK_ID = 7_204_511;

// The same bookkeeping table `prisma migrate deploy` keeps, so the CLI and this function
// agree on what has been applied.
const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = migrationsDir): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/**
 * Applies pending migrations in-process (used at start-up and by tests on `memory://`
 * PGlite, which the CLI cannot reach). Replicas starting together serialise on an
 * advisory lock; each migration runs in its own transaction.
 */
export async function migrate(db: Database, dir = migrationsDir): Promise<string[]> {
  const migrations = await readMigrations(dir);
  return db.withConnection(async (sql) => {
    if (db.kind === "postgres") await sql.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    try {
      return await applyPending(sql, migrations);
    } finally {
      if (db.kind === "postgres") {
        await sql.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]);
      }
    }
  });
}

/**
 * Migrations of `dir` the database has not applied yet (all of them on an empty database).
 * Read-only: replicas that leave migrating to a separate job use it to wait for that job.
 */
export async function pendingMigrations(db: Database, dir = migrationsDir): Promise<string[]> {
  const migrations = await readMigrations(dir);
  return db.withConnection(async (sql) => {
    const [ledger] = await sql.query<{ present: boolean }>(
      `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`,
    );
    if (!ledger?.present) return migrations.map((m) => m.name);
    const rows = await sql.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations"
       WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`,
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
  });
}

async function applyPending(sql: RawSql, migrations: MigrationFile[]): Promise<string[]> {
  await sql.exec(CREATE_LEDGER);
  const rows = await sql.query<{ migration_name: string; finished_at: Date | null }>(
    `SELECT migration_name, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
  );
  const failed = rows.find((r) => r.finished_at === null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} failed earlier; fix the database and mark it resolved ` +
        `with "prisma migrate resolve" before starting again.`,
    );
  }
  const applied = new Set(rows.map((r) => r.migration_name));
  const newlyApplied: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue;
    await sql.exec("BEGIN");
    try {
      await sql.exec(migration.sql);
      await sql.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      await sql.exec("COMMIT");
    } catch (error) {
      await sql.exec("ROLLBACK");
      throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    newlyApplied.push(migration.name);
  }
  return newlyApplied;
}

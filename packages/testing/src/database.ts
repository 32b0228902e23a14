import { randomBytes } from "node:crypto";
import { createDb, migrate, type Database } from "@parley/db";
import pg from "pg";
import { postgresUrl } from "./services";

export interface TestDatabase {
  db: Database;
  /** The URL the database was opened with (a fresh Postgres database, or memory://). */
  url: string;
  cleanup(): Promise<void>;
}

/** A fresh Postgres database cut from DATABASE_URL's server, so test files never share rows. */
export async function createScratchPostgres(
  baseUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A migrated, empty database: Postgres when DATABASE_URL is set, in-memory PGlite otherwise. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = postgresUrl();
  if (!base) {
    const db = await createDb("memory://");
    await migrate(db);
    return { db, url: "memory://", cleanup: () => db.close() };
  }
  const scratch = await createScratchPostgres(base);
  const db = await createDb(scratch.url, { poolSize: 5 });
  await migrate(db);
  return {
    db,
    url: scratch.url,
    async cleanup() {
      await db.close();
      await scratch.drop();
    },
  };
}

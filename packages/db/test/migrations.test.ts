import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createScratchPostgres, missing, postgresUrl } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { createDb, migrate, pendingMigrations, readMigrations } from "../src";

const run = promisify(execFile);
const packageDir = path.resolve(import.meta.dirname, "..");

async function tableNames(url: string): Promise<string[]> {
  const db = await createDb(url);
  try {
    const rows = await db.withConnection((sql) =>
      sql.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      ),
    );
    return rows.map((r) => r.tablename);
  } finally {
    await db.close();
  }
}

const expectedTables = [
  "_prisma_migrations",
  "api_keys",
  "audit_events",
  "conversations",
  "files",
  "folders",
  "instance_settings",
  "invitations",
  "message_attachments",
  "message_feedback",
  "messages",
  "oidc_identities",
  "presets",
  "providers",
  "recovery_codes",
  "rotated_tokens",
  "sessions",
  "shared_conversations",
  "totp_credentials",
  "usage_records",
  "user_quotas",
  "users",
];

/** `prisma migrate deploy`, the command behind `npm run db:migrate`. */
const CLI_TIMEOUT_MS = 120_000;
function cliDeploy(env: Record<string, string>) {
  const { DATABASE_URL: _omit, ...rest } = process.env;
  return run("npx", ["prisma", "migrate", "deploy"], {
    cwd: packageDir,
    env: { ...rest, ...env },
    timeout: CLI_TIMEOUT_MS,
  });
}

describe("migrations from an empty database", () => {
  it("apply in-process on in-memory PGlite, and a second run is a no-op", async () => {
    const db = await createDb("memory://");
    try {
      const names = (await readMigrations()).map((m) => m.name);
      expect(await pendingMigrations(db)).toEqual(names);
      expect(await migrate(db)).toEqual(names);
      expect(await migrate(db)).toEqual([]);
      expect(await pendingMigrations(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it(
    "apply with `prisma migrate deploy` on a PGlite directory, which the app then accepts",
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "parley-pglite-"));
      try {
        const { stdout } = await cliDeploy({ DATA_DIR: dataDir });
        expect(stdout).toContain("All migrations have been successfully applied");
        const pgliteDir = path.join(dataDir, "pglite");
        expect(await tableNames(pgliteDir)).toEqual(expectedTables);
        const db = await createDb(pgliteDir);
        expect(await migrate(db)).toEqual([]);
        await db.close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
      // A child process that boots Prisma's CLI and PGlite: seconds on a quiet machine, more on
      // a busy CI runner; the CLI's own timeout bounds it.
    },
    CLI_TIMEOUT_MS,
  );

  it.skipIf(missing("postgres"))(
    "apply with `prisma migrate deploy` on Postgres, then in-process finds nothing to do",
    async () => {
      const scratch = await createScratchPostgres(postgresUrl()!);
      try {
        const { stdout } = await cliDeploy({ DATABASE_URL: scratch.url });
        expect(stdout).toContain("All migrations have been successfully applied");
        expect(await tableNames(scratch.url)).toEqual(expectedTables);
        const db = await createDb(scratch.url);
        expect(await migrate(db)).toEqual([]);
        await db.close();
      } finally {
        await scratch.drop();
      }
    },
    CLI_TIMEOUT_MS,
  );

  it.skipIf(missing("postgres"))(
    "apply in-process on Postgres from replicas starting together",
    async () => {
      const scratch = await createScratchPostgres(postgresUrl()!);
      const replicas = await Promise.all([createDb(scratch.url), createDb(scratch.url)]);
      try {
        const applied = await Promise.all(replicas.map((db) => migrate(db)));
        // The advisory lock lets exactly one replica apply each migration.
        expect(applied.flat().sort()).toEqual((await readMigrations()).map((m) => m.name).sort());
      } finally {
        await Promise.all(replicas.map((db) => db.close()));
        await scratch.drop();
      }
    },
  );
});

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, missing, type TestDatabase } from "@parley/testing";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Shard-readiness for Citus with `user_id` as the distribution column (docs/scaling.md):
 * every per-user table carries `user_id` in its primary key, in every unique key, and in
 * every foreign key to another per-user table, so a user's rows live on one shard and
 * constraints hold there; the few global tables become reference tables (copied to every
 * node). Checked on the real schema after migrations: a per-user table that breaks a rule
 * fails the test, and so does a new global table until it is named below with its reason.
 */

/** Global tables: `create_reference_table`. Small, read far more than written. */
export const REFERENCE_TABLES: Record<string, string> = {
  users:
    "the accounts themselves: usernames and emails are unique across all users, and sign-in looks them up before any user id is known",
  invitations: "registration codes, looked up by code before an account exists",
  instance_settings: "one row per server setting, the same for every user",
  providers:
    "the model providers admins add for the whole instance: a few rows every replica reads for every user's model list",
  oidc_identities:
    "single sign-on finds the account by (issuer, subject) before any user id is known, and (issuer, subject) must be unique across all users, which only a reference table can enforce; at most a row per user and provider, written at linking and at an SSO sign-in",
  _prisma_migrations: "the migration history, maintained by the migrator",
};

/**
 * Per-user tables that break a rule, each violation spelled out. Empty: every per-user
 * table is ready to be distributed by user_id. Keep it so.
 */
export const KNOWN_VIOLATIONS: Record<string, string[]> = {};

interface Constraint {
  table: string;
  type: "p" | "u" | "f";
  columns: string[];
  foreignTable: string | null;
  foreignColumns: string[];
}

async function readSchema(t: TestDatabase) {
  const tables = await t.db.sql.query<{ table: string; columns: string[] }>(
    `SELECT c.relname AS "table",
            array_agg(a.attname::text ORDER BY a.attnum) AS columns
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relkind IN ('r', 'p')
     GROUP BY c.relname`,
  );
  const constraints = await t.db.sql.query<Constraint>(
    `SELECT rel.relname AS "table", con.contype AS type,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, i)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
                  ORDER BY k.i) AS columns,
            frel.relname AS "foreignTable",
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, i)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
                  ORDER BY k.i) AS "foreignColumns"
     FROM pg_constraint con
     JOIN pg_class rel ON rel.oid = con.conrelid
     JOIN pg_namespace n ON n.oid = rel.relnamespace AND n.nspname = current_schema()
     LEFT JOIN pg_class frel ON frel.oid = con.confrelid
     WHERE con.contype IN ('p', 'u', 'f')`,
  );
  // Unique indexes that are not constraints (Prisma makes @unique as an index).
  const uniqueIndexes = await t.db.sql.query<{ table: string; columns: string[] }>(
    `SELECT t.relname AS "table",
            ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(num, i)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.num
                  ORDER BY k.i) AS columns
     FROM pg_index ix
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
     WHERE ix.indisunique AND NOT ix.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)`,
  );
  for (const index of uniqueIndexes)
    constraints.push({ ...index, type: "u", foreignTable: null, foreignColumns: [] });
  return { tables, constraints };
}

/** What breaks the rules, per per-user table, in the words of KNOWN_VIOLATIONS. */
function violations(schema: Awaited<ReturnType<typeof readSchema>>): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  const perUser = schema.tables.filter((t) => !(t.table in REFERENCE_TABLES));
  const isPerUser = (table: string | null) => perUser.some((t) => t.table === table);
  const list = (columns: string[]) => columns.join(", ");
  for (const { table, columns } of perUser) {
    const problems: string[] = [];
    if (!columns.includes("user_id")) problems.push("no user_id column");
    const own = schema.constraints.filter((c) => c.table === table);
    if (!own.some((c) => c.type === "p")) problems.push("no primary key");
    for (const c of own.filter((c) => c.type === "p" || c.type === "u")) {
      if (!c.columns.includes("user_id"))
        problems.push(
          `${c.type === "p" ? "primary key" : "unique"} (${list(c.columns)}) lacks user_id`,
        );
    }
    for (const c of own.filter((c) => c.type === "f" && isPerUser(c.foreignTable))) {
      // Co-located: user_id on this side must point at user_id on the other.
      const at = c.columns.indexOf("user_id");
      if (at < 0 || c.foreignColumns[at] !== "user_id")
        problems.push(`foreign key (${list(c.columns)}) -> ${c.foreignTable} lacks user_id`);
    }
    if (problems.length) found[table] = problems.sort();
  }
  return found;
}

const sorted = (entries: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(entries)
      .map(([k, v]) => [k, [...v].sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

describe("schema ready for sharding by user_id (Citus)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.cleanup());

  it("every per-user table keys its rows by user_id, except the listed ones", async () => {
    const schema = await readSchema(t);
    expect(sorted(violations(schema))).toEqual(sorted(KNOWN_VIOLATIONS));
  });

  it("every reference table exists, and every other table is per-user", async () => {
    const { tables } = await readSchema(t);
    const names = tables.map((t) => t.table);
    for (const table of Object.keys(REFERENCE_TABLES)) expect(names).toContain(table);
    // A new table is per-user by default: the first test then holds it to the rules.
    expect(names.length).toBeGreaterThan(Object.keys(REFERENCE_TABLES).length + 5);
  });

  it.skipIf(missing("postgres"))("runs on Postgres, where Citus runs", () => {
    expect(t.url.startsWith("postgres")).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------
// Query functions: each one reads or writes one user's rows, and says whose.

const queriesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../src/queries");

/** Query files that touch only reference tables (see REFERENCE_TABLES): global by design. */
export const REFERENCE_QUERY_FILES: Record<string, string> = {
  users: "accounts (users.id is the user id itself; sign-in looks users up by name)",
  registration: "invitations",
  settings: "instance settings",
  providers: "the instance's model providers",
};

/**
 * Exported query functions of the other files that do not take the user's id, and why.
 * The test fails for an unlisted function and for a listed one that takes it now.
 */
export const QUERIES_WITHOUT_USER: Record<string, string> = {
  // Sign-in and registration: the user is what they look for, in the users reference table.
  "auth.createUserDecidingRole": "makes the user (users is a reference table)",
  "auth.findCredentialsByLogin": "sign-in: finds the user by name or email",
  // Refresh tokens and API keys name their user (`<secret>.<user id>`); only keys issued
  // before that are found by their hash alone: a fan-out to every shard, once per key per
  // cache TTL (docs/scaling.md: rotate them before sharding).
  "auth.findLegacyApiKeyByHash": "an API key issued before keys named their user",
  "oidc.findOidcIdentity":
    "single sign-on finds the account by (issuer, subject) (reference table)",
  // Its row carries the user id (NewFile is a StoredFile without dates).
  "files.createFile": "the new row's userId is part of its argument",
  // Maintenance and admin reports across all users: on Citus these fan out to every
  // shard, on purpose, and run rarely.
  "chat.findLapsedReplies": "the lease sweeper looks at every user's replies",
  "audit.deleteAuditEventsBefore": "retention applies to everyone",
  "files.abandonedUploads": "the upload sweeper looks at every user's files",
  "files.filesWrappedByOtherKeys": "key rotation rewraps every user's files",
  "sealed.fileKeysPage": "keys:rotate pages through every user's file data keys",
  "sealed.totpSecretsPage": "keys:rotate pages through every user's TOTP secrets",
  "sealed.providerKeysPage": "keys:rotate pages through the providers' keys (a reference table)",
  "sealed.setProviderKey": "rewraps a provider's key (a reference table)",
  "two-factor.usersWithoutTotp": "admin: who still lacks two-factor",
  "usage.usageByUser": "admin: usage of every user",
  "feedback.countsByModel": "admin: reply ratings of every user, as counts",
};

/** Every exported function of queries/*.ts with whether any parameter names a userId. */
function queryFunctions(): Array<{ name: string; takesUser: boolean }> {
  // The file's name is the feature (chat-reads.ts holds chat's hot reads).
  const found: Array<{ name: string; takesUser: boolean }> = [];
  for (const file of readdirSync(queriesDir).filter((f) => f.endsWith(".ts"))) {
    const feature = file.replace(/\.ts$/, "").replace(/-reads$/, "");
    const source = ts.createSourceFile(
      file,
      readFileSync(path.join(queriesDir, file), "utf8"),
      ts.ScriptTarget.Latest,
      true,
    );
    for (const statement of source.statements) {
      if (!ts.isFunctionDeclaration(statement) || !statement.name) continue;
      const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      const params = statement.parameters;
      // Only functions that run queries (a database first); helpers such as
      // toPrefixTsQuery are not queries.
      if (!/\b(Database|Tx|TransactionClient)\b/.test(params[0]?.type?.getText(source) ?? ""))
        continue;
      // A parameter named userId (or ownerId), or an object / array of objects with one.
      const takesUser = params.some((p) =>
        /\b(userId|ownerId)\b/.test(p.name.getText(source) + " " + (p.type?.getText(source) ?? "")),
      );
      // An args type declared elsewhere in the file: look it up.
      const viaInterface = params.some((p) => {
        const typeName =
          p.type && ts.isTypeReferenceNode(p.type) ? p.type.typeName.getText(source) : null;
        if (!typeName) return false;
        const declaration = source.statements.find(
          (s) =>
            (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) &&
            s.name.text === typeName,
        );
        return declaration ? /\buserId\b/.test(declaration.getText(source)) : false;
      });
      found.push({
        name: `${feature}.${statement.name.text}`,
        takesUser: takesUser || viaInterface,
      });
    }
  }
  return found;
}

describe("query functions take the user id", () => {
  it("finds the query functions", () => {
    expect(queryFunctions().length).toBeGreaterThan(40);
  });

  it("every exported query function takes the user's id, except the listed ones", () => {
    const without = queryFunctions()
      .filter((f) => !f.takesUser && !(f.name.split(".")[0]! in REFERENCE_QUERY_FILES))
      .map((f) => f.name)
      .sort();
    expect(without).toEqual(Object.keys(QUERIES_WITHOUT_USER).sort());
  });
});

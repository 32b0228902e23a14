import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";

// pglite-prisma-adapter bundles an older copy of Prisma's adapter types; the runtime
// contract is the same, so its factory is typed as the one our client expects.
type DriverAdapterFactory = NonNullable<ConstructorParameters<typeof PrismaClient>[0]>["adapter"];

export type DatabaseKind = "postgres" | "pglite";

/** Plain SQL outside Prisma: migrations, health checks and multi-statement scripts. */
export interface RawSql {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements (no parameters). */
  exec(sql: string): Promise<void>;
}

export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  /** Single statements on the pool (Postgres) or the PGlite handle Prisma's adapter uses:
   * the hot reads, written by hand because Prisma's query engine costs more than the query. */
  sql: RawSql;
  /** Runs `fn` on one dedicated connection, so session-level state (advisory locks,
   * transactions started by hand) stays on that connection. */
  withConnection<T>(fn: (sql: RawSql) => Promise<T>): Promise<T>;
  /** Runs `fn` in a transaction of hand-written statements: committed when it resolves,
   * rolled back when it throws. On PGlite nothing else runs on the database meanwhile. */
  transaction<T>(fn: (sql: RawSql) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** Largest number of Postgres connections this process opens (ignored for PGlite). */
  poolSize?: number;
  /** Called for errors on idle pooled connections, e.g. when Postgres restarts. */
  onPoolError?: (error: Error) => void;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * Opens the database named by `url`: a `postgres://` URL uses node-postgres through
 * `@prisma/adapter-pg`; `memory://` or a directory path uses embedded PGlite.
 */
export async function createDb(url: string, options: CreateDbOptions = {}): Promise<Database> {
  return isPostgresUrl(url) ? openPostgres(url, options) : openPglite(url);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function openPostgres(url: string, options: CreateDbOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 20,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on("error", (error) => options.onPoolError?.(error));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });

  return {
    prisma,
    kind: "postgres",
    sql: {
      query: async (text, params) => (await pool.query(text, params)).rows,
      exec: async (text) => {
        await pool.query(text);
      },
    },
    async withConnection(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          query: async (sql, params) => (await client.query(sql, params)).rows,
          exec: async (sql) => {
            await client.query(sql);
          },
        });
      } finally {
        client.release();
      }
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await fn({
          query: async (sql, params) => (await client.query(sql, params)).rows,
          exec: async (sql) => {
            await client.query(sql);
          },
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        // A connection that cannot even roll back is not handed to the next caller.
        await client.query("ROLLBACK").catch((rollbackFailed: Error) => (broken = rollbackFailed));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async ping(timeoutMs = 2_000) {
      await withTimeout(pool.query("SELECT 1"), timeoutMs, "database ping");
    },
    async close() {
      // The pool first: it waits for queries in flight, Prisma's included. Disconnecting
      // Prisma first abandons a write it has begun (a fire-and-forget touch, say) between
      // its BEGIN and COMMIT, leaving a connection checked out that pool.end() then waits
      // for forever.
      await pool.end().catch(() => undefined);
      await prisma.$disconnect();
    },
  };
}

async function openPglite(url: string): Promise<Database> {
  if (!url.startsWith("memory://")) mkdirSync(url, { recursive: true });
  const client = await PGlite.create(url);
  const prisma = new PrismaClient({
    adapter: new PrismaPGlite(client) as unknown as DriverAdapterFactory,
  });
  const sql: RawSql = {
    query: async <Row>(text: string, params?: unknown[]) =>
      (await client.query<Row>(text, params)).rows,
    exec: async (text) => {
      await client.exec(text);
    },
  };
  return {
    prisma,
    kind: "pglite",
    sql,
    withConnection: (fn) => fn(sql),
    transaction: (fn) =>
      client.transaction((tx) =>
        fn({
          query: async <Row>(text: string, params?: unknown[]) =>
            (await tx.query<Row>(text, params)).rows,
          exec: async (text) => {
            await tx.exec(text);
          },
        }),
      ),
    async ping(timeoutMs = 2_000) {
      await withTimeout(client.query("SELECT 1"), timeoutMs, "database ping");
    },
    async close() {
      await prisma.$disconnect();
      if (!client.closed) await client.close();
    },
  };
}

import pg from "pg";
import { load, measureAsync, type LoadResult } from "../lib/load";
import { startChild } from "../lib/processes";

export interface Floors {
  nodeHttp: LoadResult;
  hono: LoadResult;
  trpcNoop: LoadResult;
  postgres?: LoadResult;
}

/** What the machine can do with no application work: the baselines every ratio uses. */
export async function measureFloors(seconds: number, connections: number): Promise<Floors> {
  const run = async (name: string, entry: string, path: string) => {
    const child = await startChild(entry);
    try {
      return await load({
        name,
        url: child.url + path,
        connections,
        durationSeconds: seconds,
        serverPid: child.process.pid,
      });
    } finally {
      await child.stop();
    }
  };
  const nodeHttp = await run("bare node:http", "bench/servers/floor-node.ts", "/");
  const hono = await run("bare Hono", "bench/servers/floor-hono.ts", "/");
  const trpcNoop = await run("tRPC no-op on Hono", "bench/servers/floor-trpc.ts", "/trpc/noop");
  const postgres = process.env.DATABASE_URL ? await postgresRoundTrip() : undefined;
  return { nodeHttp, hono, trpcNoop, postgres };
}

async function postgresRoundTrip(): Promise<LoadResult> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  try {
    await pool.query("SELECT 1");
    return await measureAsync("Postgres round trip (SELECT 1)", () => pool.query("SELECT 1"), {
      total: 20_000,
      concurrency: 20,
    });
  } finally {
    await pool.end();
  }
}

export interface SqlFloors {
  conversationsList: LoadResult;
  messagesList: LoadResult;
}

/**
 * The raw-SQL floors of the list procedures (bench/servers/floor-sql.ts): the reader's
 * conversation page and the newest page of its long history, as node:http + pg serve them.
 * Postgres only: PGlite admits one process, the API's.
 */
export async function measureSqlFloors(
  databaseUrl: string | undefined,
  reader: { userId: string; conversationId: string },
  seconds: number,
  connections: number,
): Promise<SqlFloors | undefined> {
  if (!databaseUrl) return undefined;
  const child = await startChild("bench/servers/floor-sql.ts", {
    DATABASE_URL: databaseUrl,
    FLOOR_USER_ID: reader.userId,
    FLOOR_CONVERSATION_ID: reader.conversationId,
  });
  try {
    const run = (name: string, path: string) =>
      load({
        name,
        url: child.url + path,
        connections,
        durationSeconds: seconds,
        serverPid: child.process.pid,
      });
    return {
      conversationsList: await run("raw SQL: 50 conversations (node:http + pg)", "/conversations"),
      messagesList: await run(
        "raw SQL: newest 50 messages + siblings (node:http + pg)",
        "/messages",
      ),
    };
  } finally {
    await child.stop();
  }
}

import type { BenchDatabase } from "../lib/environment";
import { startBenchApi } from "../lib/environment";
import { load, type LoadResult } from "../lib/load";
import type { Child } from "../lib/processes";
import { table, type Row } from "../lib/report";
import { queryUrl } from "../lib/trpc";
import { clean, cpuNote, errorsNote, fmtMs, fmtPct, type BenchContext } from "./context";
import { HISTORY_MESSAGES, signIn } from "./data";

/**
 * The history cache (HISTORY_CACHE) in one run: the same list and history reads on the main
 * API (started with HISTORY_CACHE=0, so the other sections measure the database path) and
 * on a second API process with the cache on, over the same database and Redis. Every
 * request asks for the same page, so the cached runs show the hit path (memory, one Redis
 * round trip for the user's generation); a miss costs the uncached path plus a Redis write.
 * The second process is idle while the first is measured, and the other way round.
 */
export async function measureHistoryCache(
  ctx: BenchContext,
  database: BenchDatabase,
  fixture: Child,
): Promise<void> {
  if (database.kind !== "postgres") {
    ctx.sections.push(
      "### History cache",
      "",
      "Not measured: a second API process needs Postgres (PGlite is one process only).",
      "",
    );
    return;
  }
  const cached = await startBenchApi(database, fixture, { HISTORY_CACHE: "1" });
  try {
    const rows: Row[] = [];
    const reads = async (api: typeof ctx.api, label: string) => {
      const token = await signIn(api.url, ctx.data.reader);
      const headers = { authorization: `Bearer ${token}` };
      const run = (name: string, procedure: string, input: unknown) =>
        load({
          name: `${name}, ${label}`,
          url: queryUrl(api.url, procedure, input),
          headers,
          connections: ctx.connections,
          durationSeconds: ctx.seconds,
          serverPid: api.process.pid,
        });
      return {
        list: await run("chat.conversations.list (50 items)", "chat.conversations.list", {
          limit: 50,
        }),
        history: await run(
          `chat.messages.list (newest 50 of ${HISTORY_MESSAGES.toLocaleString("en")})`,
          "chat.messages.list",
          { conversationId: ctx.data.readerHistoryId, limit: 50 },
        ),
      };
    };
    const off = await reads(ctx.api, "cache off");
    const on = await reads(cached, "cache on");
    const pairs: Array<[string, LoadResult, LoadResult, LoadResult | undefined]> = [
      ["list", off.list, on.list, ctx.sqlFloors?.conversationsList],
      ["history", off.history, on.history, ctx.sqlFloors?.messagesList],
    ];
    const notes: string[] = [];
    for (const [what, without, withCache, sql] of pairs) {
      // Informative: what the cache buys depends on the machine and the hit rate.
      rows.push({
        result: without,
        ...(sql && { floor: sql, target: "informative (vs raw SQL)" }),
      });
      rows.push({ result: withCache, floor: without, target: "informative (vs cache off)" });
      notes.push(
        `- ${what}: ${Math.round(withCache.requestsPerSecond)} req/s with the cache vs ${Math.round(without.requestsPerSecond)} without (${fmtPct(withCache.requestsPerSecond / without.requestsPerSecond)}), p99 ${fmtMs(withCache.p99)} vs ${fmtMs(without.p99)}${cpuNote(withCache, without)}${clean(withCache) ? "" : errorsNote(withCache)}`,
      );
    }
    ctx.sections.push(
      table(
        `History cache: list and history with and without it (${ctx.connections} connections, the same page each request)`,
        rows,
      ),
      "",
      ...notes,
      "",
    );
  } finally {
    await cached.stop();
  }
}

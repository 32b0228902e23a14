import { load } from "../lib/load";
import { table, type Row } from "../lib/report";
import { queryUrl } from "../lib/trpc";
import { clean, errorsNote, fmtMs, type BenchContext } from "./context";
import { HUGE_MESSAGES, signIn, SMALL_MESSAGES } from "./data";

/**
 * chat.conversations.search (ranked full-text search with snippets) over the pager's
 * history: 100,000 + 100 messages. A rare term (the number of one question: a handful of
 * rows) is the everyday case; a word in every message ranks all 100,100 rows and is the
 * worst case. Few connections, so latency shows the work of one search.
 */
export async function measureSearch(ctx: BenchContext): Promise<void> {
  const { api, data, seconds } = ctx;
  const connections = 10;
  const token = await signIn(api.url, data.pager);
  const headers = { authorization: `Bearer ${token}` };
  const total = (HUGE_MESSAGES + SMALL_MESSAGES).toLocaleString("en");
  const run = (name: string, query: string) =>
    load({
      name,
      url: queryUrl(api.url, "chat.conversations.search", { query, limit: 20 }),
      headers,
      connections,
      durationSeconds: seconds,
      serverPid: api.process.pid,
    });
  const rare = await run(`rare term ("question 4242", 11 matches of ${total})`, "question 4242");
  const stemmed = await run(
    `stemmed word in every message ("threads", ${total} matches)`,
    "threads",
  );
  const rareMet = rare.p50 <= 50 && clean(rare);
  const rows: Row[] = [{ result: rare, target: "p50 ≤ 50 ms", met: rareMet }, { result: stemmed }];
  ctx.checks.push({
    target: `chat.conversations.search for a rare term at ${total} messages: p50 ≤ 50 ms`,
    figure: `p50 ${fmtMs(rare.p50)}, p99 ${fmtMs(rare.p99)}, ${Math.round(rare.requestsPerSecond)} req/s${errorsNote(rare)}; a word in every message: p50 ${fmtMs(stemmed.p50)}, p99 ${fmtMs(stemmed.p99)}${errorsNote(stemmed)}`,
    met: rareMet,
  });
  ctx.sections.push(
    table(
      `Search: ranked, with snippets, over ${total} messages of one user (chat.conversations.search, 20 results, ${connections} connections)`,
      rows,
    ),
    "",
  );
}

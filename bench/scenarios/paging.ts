import { load, type LoadResult } from "../lib/load";
import { table, type Row } from "../lib/report";
import { queryUrl } from "../lib/trpc";
import { clean, errorsNote, fmtMs, type BenchContext } from "./context";
import { HUGE_MESSAGES, signIn, SMALL_MESSAGES } from "./data";

/**
 * Paging cost must not grow with history: the same pages of chat.messages.list on a
 * conversation of 100 and one of 100,000 messages (the newest page, and one from the
 * middle by cursor), compared pairwise. Few connections, so latency shows the work of one
 * page rather than a queue (the throughput runs above show saturation).
 */
export async function measurePaging(ctx: BenchContext): Promise<void> {
  const { api, data, seconds } = ctx;
  const connections = 10;
  const token = await signIn(api.url, data.pager);
  const headers = { authorization: `Bearer ${token}` };
  const run = (name: string, conversationId: string, cursor?: number) =>
    load({
      name,
      url: queryUrl(api.url, "chat.messages.list", {
        conversationId,
        limit: 50,
        ...(cursor === undefined ? {} : { cursor }),
      }),
      headers,
      connections,
      durationSeconds: seconds,
      serverPid: api.process.pid,
    });
  const small = SMALL_MESSAGES.toLocaleString("en");
  const huge = HUGE_MESSAGES.toLocaleString("en");
  const pairs: Array<[string, LoadResult, LoadResult]> = [];
  pairs.push([
    "newest page",
    await run(`newest page of ${small}`, data.smallConversationId),
    await run(`newest page of ${huge}`, data.hugeConversationId),
  ]);
  pairs.push([
    "page from the middle",
    await run(
      `page before #${SMALL_MESSAGES / 2} of ${small}`,
      data.smallConversationId,
      SMALL_MESSAGES / 2,
    ),
    await run(
      `page before #${HUGE_MESSAGES / 2} of ${huge}`,
      data.hugeConversationId,
      HUGE_MESSAGES / 2,
    ),
  ]);

  const rows: Row[] = [];
  for (const [what, a, b] of pairs) {
    const met =
      b.p50 <= 1.5 * a.p50 && b.requestsPerSecond * 1.5 >= a.requestsPerSecond && clean(b);
    rows.push({ result: a }, { result: b, floor: a, target: "req/s and p50 within 1.5×", met });
    ctx.checks.push({
      target: `chat.messages.list ${what}: at ${huge} messages no slower than 1.5× at ${small}`,
      figure: `p50 ${fmtMs(b.p50)} vs ${fmtMs(a.p50)}, p99 ${fmtMs(b.p99)} vs ${fmtMs(a.p99)}, ${Math.round(b.requestsPerSecond)} vs ${Math.round(a.requestsPerSecond)} req/s${errorsNote(b)}`,
      met,
    });
  }
  ctx.sections.push(
    table(
      `Message paging: ${small} vs ${huge} messages (chat.messages.list, 50 per page, ${connections} connections)`,
      rows,
    ),
    "",
  );
}

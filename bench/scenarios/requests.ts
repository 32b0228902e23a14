import { load, type LoadResult } from "../lib/load";
import { table, type Row } from "../lib/report";
import { queryUrl } from "../lib/trpc";
import {
  clean,
  cpuNote,
  errorsNote,
  fmtMs,
  fmtPct,
  type BenchContext,
  type ReadTraffic,
} from "./context";
import { HISTORY_MESSAGES, loginRequests, signIn } from "./data";

export interface Reads {
  authMe: ReadTraffic;
  /** A page of 50 conversations (the user has 60). */
  conversationsList: ReadTraffic;
  /** The newest page (50) of a conversation of 10,000 messages. */
  messagesList: ReadTraffic;
}

/** The signed-in read procedures the other scenarios keep busy. */
export async function readTraffic(ctx: BenchContext): Promise<Reads> {
  const token = await signIn(ctx.api.url, ctx.data.reader);
  const headers = { authorization: `Bearer ${token}` };
  const url = ctx.api.url;
  return {
    authMe: { name: "auth.me", url: queryUrl(url, "auth.me"), headers },
    conversationsList: {
      name: "chat.conversations.list (50 items)",
      url: queryUrl(url, "chat.conversations.list", { limit: 50 }),
      headers,
    },
    messagesList: {
      name: `chat.messages.list (newest 50 of ${HISTORY_MESSAGES.toLocaleString("en")})`,
      url: queryUrl(url, "chat.messages.list", {
        conversationId: ctx.data.readerHistoryId,
        limit: 50,
      }),
      headers,
    },
  };
}

/** Request/response procedures under load, each compared with the tRPC no-op floor. */
export async function measureRequests(
  ctx: BenchContext,
): Promise<{ authMe: LoadResult; conversationsList: LoadResult }> {
  const { api, seconds, connections, floors } = ctx;
  const noop = floors.trpcNoop;
  const reads = await readTraffic(ctx);
  const rows: Row[] = [];

  const serverPid = api.process.pid;
  // The whole Parley app (logging, metrics, context) with one raw SELECT 1 and no sign-in
  // check: what the app adds before any procedure does real work.
  const ping = await load({
    name: "health.ping (no auth, SELECT 1)",
    url: queryUrl(api.url, "health.ping"),
    connections,
    durationSeconds: seconds,
    serverPid,
  });
  rows.push({ result: ping, floor: noop, target: "informative" });
  const authMe = await load({ ...reads.authMe, connections, durationSeconds: seconds, serverPid });
  const authMeMet =
    authMe.requestsPerSecond >= 0.6 * noop.requestsPerSecond &&
    authMe.p99 <= 1.5 * noop.p99 &&
    clean(authMe);
  rows.push({ result: authMe, floor: noop, target: "≥ 60 % req/s, p99 ≤ 1.5×", met: authMeMet });
  ctx.checks.push({
    target: "auth.me ≥ 60 % of the tRPC no-op's req/s with p99 ≤ 1.5× its p99",
    figure: `${fmtPct(authMe.requestsPerSecond / noop.requestsPerSecond)} req/s, p99 ${fmtMs(authMe.p99)} vs ${fmtMs(noop.p99)} (${(authMe.p99 / noop.p99).toFixed(2)}×)${cpuNote(authMe, noop)}${errorsNote(authMe)}`,
    met: authMeMet,
  });

  const conversationsList = await load({
    ...reads.conversationsList,
    connections,
    durationSeconds: seconds,
    serverPid,
  });
  listAgainstSqlFloor(ctx, rows, conversationsList, ctx.sqlFloors?.conversationsList);

  const messagesList = await load({
    ...reads.messagesList,
    connections,
    durationSeconds: seconds,
    serverPid,
  });
  listAgainstSqlFloor(ctx, rows, messagesList, ctx.sqlFloors?.messagesList);

  // argon2id costs tens of milliseconds of CPU per call and the API runs at most two at
  // once, so a few connections already saturate it; more would only measure the queue.
  const loginConnections = 8;
  const login = await load({
    name: `auth.login (argon2id, ${loginConnections} connections)`,
    url: `${api.url}/trpc/auth.login`,
    method: "POST",
    headers: { "content-type": "application/json" },
    setupRequest: loginRequests(ctx.data.loginUsers),
    connections: loginConnections,
    durationSeconds: seconds,
    serverPid,
  });
  rows.push({ result: login, floor: noop, target: "informative" });

  ctx.sections.push(
    table("Parley procedures (auth vs the tRPC no-op, lists vs their raw-SQL floors)", rows),
    "",
  );
  return { authMe, conversationsList };
}

/** A list procedure against the raw-SQL floor serving its rows: ≥ 60 % req/s, p99 ≤ 2×. */
function listAgainstSqlFloor(
  ctx: BenchContext,
  rows: Row[],
  result: LoadResult,
  floor: LoadResult | undefined,
): void {
  if (!floor) {
    rows.push({
      result,
      floor: ctx.floors.trpcNoop,
      target: "informative (no raw-SQL floor on PGlite)",
    });
    return;
  }
  const met =
    result.requestsPerSecond >= 0.6 * floor.requestsPerSecond &&
    result.p99 <= 2 * floor.p99 &&
    clean(result);
  rows.push({ result, floor, target: "≥ 60 % req/s, p99 ≤ 2×", met });
  ctx.checks.push({
    target: `${result.name} ≥ 60 % of the raw-SQL floor's req/s with p99 ≤ 2× its p99`,
    figure: `${fmtPct(result.requestsPerSecond / floor.requestsPerSecond)} (${Math.round(result.requestsPerSecond)} vs ${Math.round(floor.requestsPerSecond)} req/s), p99 ${fmtMs(result.p99)} vs ${fmtMs(floor.p99)} (${(result.p99 / floor.p99).toFixed(2)}×)${cpuNote(result, floor)}${errorsNote(result)}`,
    met,
  });
}

import { load, type LoadOptions, type LoadResult } from "../lib/load";
import { table, type Row } from "../lib/report";
import { mutationBody } from "../lib/trpc";
import { fmtMs, type BenchContext } from "./context";
import { clean, errorsNote, withClientIp } from "./requests";

/** A read procedure to keep busy while something else happens. */
export interface ReadTraffic {
  name: string;
  url: string;
  headers: Record<string, string>;
}

/**
 * A login flood (argon2id from many addresses) must not slow everyone else down: other
 * procedures run at a steady rate, first alone and then during the flood, and their p99s
 * are compared. The steady rate is a fixed share of auth.me's measured capacity, so the
 * comparison is about interference, not about the machine being saturated anyway.
 */
export async function measureLoginFlood(ctx: BenchContext, reads: ReadTraffic[], authMeCapacity: number): Promise<void> {
  const { api, seconds } = ctx;
  const connectionsPerRead = 50;
  const totalRate = Math.max(100, Math.round(authMeCapacity * 0.25));
  const connectionRate = Math.max(1, Math.round(totalRate / (connectionsPerRead * reads.length)));
  const steady = (r: ReadTraffic): LoadOptions => ({
    name: r.name,
    url: r.url,
    headers: r.headers,
    connections: connectionsPerRead,
    connectionRate,
    durationSeconds: seconds,
  });

  const quiet = await Promise.all(reads.map((r) => load(steady(r))));
  const floodConnections = 50;
  const [flood, ...during] = await Promise.all([
    load({
      name: `auth.login flood (${floodConnections} connections, a new address each)`,
      url: `${api.url}/trpc/auth.login`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: mutationBody({ login: ctx.data.reader.username, password: ctx.data.reader.password, refreshTokenInBody: true }),
      setupRequest: withClientIp,
      connections: floodConnections,
      durationSeconds: seconds,
    }),
    ...reads.map((r) => load(steady(r))),
  ]);

  const rows: Row[] = [];
  reads.forEach((read, i) => {
    const before = quiet[i]!;
    const after: LoadResult = { ...during[i]!, name: `${read.name} during the flood` };
    const met = after.p99 <= 2 * before.p99 && clean(after);
    rows.push({ result: { ...before, name: `${read.name} quiet` } });
    rows.push({ result: after, floor: { ...before, name: "quiet" }, target: "p99 ≤ 2× quiet", met });
    ctx.checks.push({
      target: `during a login flood, ${read.name} p99 at most 2× its quiet p99`,
      figure: `${fmtMs(after.p99)} vs ${fmtMs(before.p99)} quiet (${(after.p99 / before.p99).toFixed(2)}×)${errorsNote(after)}`,
      met,
    });
  });
  rows.push({ result: flood, target: "informative" });
  ctx.sections.push(
    table(
      `Login flood (other traffic: ${connectionsPerRead} connections per procedure at ${connectionRate} req/s each, about ${connectionRate * connectionsPerRead * reads.length} req/s in all)`,
      rows,
    ),
    "",
  );
}

/** The design document's bar: 1,000 concurrent connections, no errors, p99 under 200 ms. */
export async function measureThousandConnections(ctx: BenchContext, read: ReadTraffic): Promise<void> {
  const connections = 1_000;
  const result = await load({
    name: `${read.name}, ${connections} connections`,
    url: read.url,
    headers: read.headers,
    connections,
    durationSeconds: ctx.seconds,
    serverPid: ctx.api.process.pid,
  });
  const met = clean(result) && result.p99 < 200;
  ctx.checks.push({
    target: `${connections} concurrent connections with no errors and p99 under 200 ms`,
    figure: `${read.name}: p99 ${fmtMs(result.p99)}, ${Math.round(result.requestsPerSecond)} req/s${errorsNote(result)}`,
    met,
  });
  ctx.sections.push(
    table(`${connections} concurrent connections`, [{ result, target: "no errors, p99 < 200 ms", met }]),
    "",
  );
}

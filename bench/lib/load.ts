import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import autocannon from "autocannon";

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  /** CPU time the server process spent per request (all its threads), when measured: a
   * figure the other processes on a shared machine disturb far less than req/s. */
  cpuMsPerRequest?: number;
  /** Failed requests by kind (ECONNRESET, "request timed out"), when there were any. */
  errorKinds?: Record<string, number>;
  /** Responses by HTTP status, when any was not 2xx (e.g. { "200": 9000, "503": 12 }). */
  statuses?: Record<string, number>;
}

export interface LoadOptions {
  name: string;
  url: string;
  connections?: number;
  durationSeconds?: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Requests per second per connection (an open-loop load), instead of as fast as possible. */
  connectionRate?: number;
  /** Changes each request before it is sent (e.g. a different X-Real-IP per login). */
  setupRequest?: (request: Record<string, unknown>) => Record<string, unknown>;
  /** The server's process id, to measure its CPU time per request (Linux /proc). */
  serverPid?: number;
}

let clockTicks: number | undefined;
/** CPU seconds (user + system, all threads) a process has used so far; undefined off Linux. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself contain spaces: state is [0], utime [11], stime [12].
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Drives `url` with autocannon from this process (the servers run in child processes). */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const cpuBefore = options.serverPid ? processCpuSeconds(options.serverPid) : undefined;
  const tracker = autocannon({
    url: options.url,
    connections: options.connections ?? 200,
    duration: options.durationSeconds ?? 10,
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
    ...(options.connectionRate ? { connectionRate: options.connectionRate } : {}),
    ...(options.setupRequest ? { requests: [{ setupRequest: options.setupRequest }] } : {}),
  });
  // What went wrong, by kind (ECONNRESET, "request timed out", ...), for the report.
  const errorKinds: Record<string, number> = {};
  tracker.on("reqError", (error: Error & { code?: string }) => {
    const kind = error.code ?? error.message;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  });
  const result = await tracker;
  return {
    name: options.name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    // autocannon counts a timeout as an error too.
    errors: result.errors,
    errorKinds: result.errors ? errorKinds : undefined,
    non2xx: result.non2xx,
    requests: result.requests.total,
    cpuMsPerRequest: cpuPerRequest(options.serverPid, cpuBefore, result.requests.total),
    statuses: result.non2xx
      ? Object.fromEntries(
          Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
        )
      : undefined,
  };
}

function cpuPerRequest(
  pid: number | undefined,
  before: number | undefined,
  requests: number,
): number | undefined {
  const after = pid ? processCpuSeconds(pid) : undefined;
  if (before === undefined || after === undefined || !requests) return undefined;
  return ((after - before) * 1000) / requests;
}

/** Latency percentiles of an async operation run `concurrency` at a time, `total` times. */
export async function measureAsync(
  name: string,
  operation: () => Promise<unknown>,
  { total = 20_000, concurrency = 50 } = {},
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  const begin = performance.now();
  const worker = async () => {
    while (started < total) {
      started++;
      const t0 = performance.now();
      try {
        await operation();
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - begin) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requestsPerSecond: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    non2xx: 0,
    requests: total,
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export interface PacedLoadOptions {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** Each user holds its own keep-alive connection. */
  users: number;
  /** Each user sends one request this often, at its own random phase. */
  intervalMs: number;
  durationSeconds: number;
  /** Before measuring, each user connects and sends one unrecorded request at a random
   * moment within this many seconds (users arrive over time, not in one instant). */
  rampSeconds?: number;
  serverPid?: number;
}

/**
 * Many users, each on its own connection, each sending a request every `intervalMs` at a
 * random phase: an open-loop load like real people using the app (autocannon's paced mode
 * fires every connection in the same instant each second). Latency counts from when a
 * request was due, so a slow server cannot hide its queue.
 */
export async function pacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let errors = 0;
  let non2xx = 0;
  const agents: http.Agent[] = [];

  const request = (agent: http.Agent) =>
    new Promise<number>((resolve, reject) => {
      const req = http.get(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          headers: options.headers,
          agent,
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error("request timed out")));
      req.on("error", reject);
    });

  const rampMs = (options.rampSeconds ?? 0) * 1000;
  const arrive = async (agent: http.Agent) => {
    await new Promise((r) => setTimeout(r, Math.random() * rampMs));
    await request(agent).catch(() => undefined);
  };
  const users = Array.from(
    { length: options.users },
    () => new http.Agent({ keepAlive: true, maxSockets: 1 }),
  );
  agents.push(...users);
  if (rampMs) await Promise.all(users.map(arrive));

  const cpuBefore = options.serverPid ? processCpuSeconds(options.serverPid) : undefined;
  const begin = performance.now();
  const end = begin + options.durationSeconds * 1000;
  const user = async (agent: http.Agent) => {
    const inFlight: Promise<void>[] = [];
    for (
      let due = begin + Math.random() * options.intervalMs;
      due < end;
      due += options.intervalMs
    ) {
      const wait = due - performance.now();
      // Timers have whole-millisecond resolution: round up so no request leaves early.
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.ceil(wait)));
      const scheduled = due;
      inFlight.push(
        request(agent).then(
          (status) => {
            latencies.push(performance.now() - scheduled);
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status < 200 || status >= 300) non2xx++;
          },
          (error: Error & { code?: string }) => {
            errors++;
            const kind = error.code ?? error.message;
            errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
          },
        ),
      );
    }
    await Promise.all(inFlight);
  };
  await Promise.all(users.map(user));
  for (const agent of agents) agent.destroy();
  const seconds = (performance.now() - begin) / 1000;
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  return {
    name: options.name,
    requestsPerSecond: requests / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    non2xx,
    requests,
    cpuMsPerRequest: cpuPerRequest(options.serverPid, cpuBefore, requests),
    errorKinds: errors ? errorKinds : undefined,
    statuses: non2xx ? statuses : undefined,
  };
}

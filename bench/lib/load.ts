import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 200,
    duration: options.durationSeconds ?? 10,
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
    ...(options.connectionRate ? { connectionRate: options.connectionRate } : {}),
    ...(options.setupRequest ? { requests: [{ setupRequest: options.setupRequest }] } : {}),
  });
  return {
    name: options.name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
    cpuMsPerRequest: cpuPerRequest(options.serverPid, cpuBefore, result.requests.total),
  };
}

function cpuPerRequest(pid: number | undefined, before: number | undefined, requests: number): number | undefined {
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

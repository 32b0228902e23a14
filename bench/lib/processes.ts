import { repoRoot, startNodeProcess, type NodeProcess } from "@parley/testing";
import type { StatsReply, StatsRequest } from "../servers/stats";

export { repoRoot };

export type Child = NodeProcess;

/** Starts a TypeScript entry point in its own Node process and waits for its
 * "listening on http://localhost:PORT" line. */
export function startChild(
  entry: string,
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<Child> {
  return startNodeProcess(entry, { env, timeoutMs });
}

export interface ApiChild extends Child {
  /** Memory and event-loop delay read inside the server process. */
  stats(options?: Omit<StatsRequest, "type" | "id">): Promise<StatsReply>;
}

/** The real API through bench/servers/parley.ts, with an IPC channel for in-process stats. */
export function startApi(env: Record<string, string | undefined>): Promise<ApiChild> {
  return startWithStats("bench/servers/parley.ts", env);
}

/** A server entry that calls serveStats() (bench/servers/stats.ts), with the IPC channel open. */
export async function startWithStats(
  entry: string,
  env: Record<string, string | undefined> = {},
): Promise<ApiChild> {
  const child = await startNodeProcess(entry, {
    env,
    ipc: true,
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the API when it exits (open it in
    // Chrome DevTools) to find where a missed target's time goes.
    nodeArgs: [
      "--expose-gc",
      ...(process.env.BENCH_CPU_PROF
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
    ],
    timeoutMs: 120_000,
  });
  let nextId = 1;
  return {
    ...child,
    stats(options = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.process.off("message", onMessage);
          reject(new Error("API process did not answer a stats request in 30 s"));
        }, 30_000);
        const onMessage = (message: StatsReply) => {
          if (message?.type !== "stats" || message.id !== id) return;
          clearTimeout(timer);
          child.process.off("message", onMessage);
          resolve(message);
        };
        child.process.on("message", onMessage);
        const request: StatsRequest = { type: "stats", id, ...options };
        child.process.send(request);
      });
    },
  };
}

// The real API (apps/api startServer) plus what the benchmark must read from inside the
// process: memory and event-loop delay, answered over the IPC channel the bench opens.
// Bench-only: the product's entry point is apps/api/src/main.ts.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadEnv } from "../../apps/api/src/env";
import { createLogger } from "../../apps/api/src/logging";
import { startServer } from "../../apps/api/src/server";

export interface StatsRequest {
  type: "stats";
  id: number;
  /** Start a fresh event-loop delay histogram after answering. */
  reset?: boolean;
  /** Run a full garbage collection first (the process runs with --expose-gc). */
  gc?: boolean;
}

export interface StatsReply {
  type: "stats";
  id: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Event-loop delay since the last reset, in milliseconds. */
  eventLoop: { p50: number; p99: number; max: number; mean: number };
  handles: number;
}

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

const env = loadEnv();
// As main.ts does; the bench runs at LOG_LEVEL=warn, so the request-logging middleware runs
// but writes no line per request.
const logger = createLogger({ level: env.LOG_LEVEL });
const server = await startServer(env, (msg) => logger.info(msg), { logger });
console.log(`listening on http://localhost:${server.port}`);

process.on("message", (message: StatsRequest) => {
  if (message?.type !== "stats") return;
  if (message.gc) {
    // Twice: the first pass runs finalizers that free more on the second.
    globalThis.gc?.();
    globalThis.gc?.();
  }
  const memory = process.memoryUsage();
  const ms = (ns: number) => ns / 1e6;
  const reply: StatsReply = {
    type: "stats",
    id: message.id,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    eventLoop: {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      mean: ms(histogram.mean),
    },
    handles: (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length,
  };
  if (message.reset) histogram.reset();
  process.send?.(reply);
});

const shutdown = () => {
  setTimeout(() => process.exit(1), 10_000).unref();
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
// The bench went away without stopping us: do not linger.
process.once("disconnect", shutdown);

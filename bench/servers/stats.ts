// What the benchmark reads from inside a server process over the IPC channel it opens:
// memory (after an optional full GC) and event-loop delay. Bench-only.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";

export interface StatsRequest {
  type: "stats";
  id: number;
  /** Start a fresh event-loop delay histogram after answering. */
  reset?: boolean;
  /** Run a full garbage collection first (the process runs with --expose-gc). */
  gc?: boolean;
  /** Write a V8 heap snapshot to this file first (diagnosis: what an open stream holds). */
  heapSnapshot?: string;
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
}

/** Answers stats requests from the parent process. */
export function serveStats(): void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  process.on("message", (message: StatsRequest) => {
    if (message?.type !== "stats") return;
    if (message.gc) {
      // Twice: the first pass runs finalizers that free more on the second.
      globalThis.gc?.();
      globalThis.gc?.();
    }
    if (message.heapSnapshot) writeHeapSnapshot(message.heapSnapshot);
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
    };
    if (message.reset) histogram.reset();
    process.send?.(reply);
  });
}

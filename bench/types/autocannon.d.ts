// The subset of autocannon 8 the benchmark uses (the package ships no types).
declare module "autocannon" {
  interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
    total: number;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    connectionRate?: number;
    overallRate?: number;
    requests?: Array<{
      setupRequest?: (request: Record<string, unknown>) => Record<string, unknown>;
    }>;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  /** Awaitable, and an event emitter while it runs. */
  interface Tracker extends PromiseLike<Result> {
    on(event: "reqError", listener: (error: Error & { code?: string }) => void): this;
  }
  function autocannon(options: Options): Tracker;
  export default autocannon;
}

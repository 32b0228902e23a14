import { timingSafeEqual, createHash } from "node:crypto";
import type {
  ActiveUserCounter,
  GenerationObserver,
  ProcedureObserver,
  UsageObserver,
  V1Observer,
} from "@parley/api";
import type { Context as HonoContext } from "hono";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export interface ServerMetrics {
  registry: Registry;
  /** Plugged into AppDeps: every tRPC call and subscription stream. */
  procedureObserver: ProcedureObserver & {
    /** For errors raised before any procedure ran (unknown path, bad JSON). */
    onUnobservedError(path: string | undefined, code: string): void;
  };
  /** Sources read at scrape time, known once the server's dependencies are built. */
  watch(sources: { activeUsers?: ActiveUserCounter; ready?: () => Promise<boolean> }): void;
  /** Plugged into AppDeps: how each generation (assistant reply) goes. */
  generationObserver: GenerationObserver;
  /** Plugged into the usage meter: recorded tokens (chat and /v1) and quota refusals. */
  usageObserver: UsageObserver;
  /** Plugged into the /v1 routes: their latency, statuses and time to first token. */
  v1Observer: V1Observer;
  /** The scrape body and its content type. */
  render(): Promise<{ body: string; contentType: string }>;
}

export interface MetricsOptions {
  /** Paths of the router's procedures; any other path is counted as "unknown". */
  knownProcedures: Iterable<string>;
  /** Those of them that are subscriptions (their open-stream gauge starts at 0). */
  subscriptions?: Iterable<string>;
}

/** The procedure paths of a tRPC router, and which of them are subscriptions. */
export function routerProcedures(router: { _def: { procedures: Record<string, unknown> } }) {
  const procedures = router._def.procedures as Record<string, { _def?: { type?: string } }>;
  const paths = Object.keys(procedures);
  return {
    knownProcedures: paths,
    subscriptions: paths.filter((path) => procedures[path]?._def?.type === "subscription"),
  };
}

// Latency buckets around the targets: 20 ms (auth.me, chat.list p99) and the 200 ms alert.
const REQUEST_BUCKETS = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
const FIRST_TOKEN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30];
const GENERATION_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 40, 80, 160, 300];

/** Model names and error kinds come from configuration and the provider: cap how many
 * distinct values become series. */
const MAX_LABEL_VALUES = 50;

/**
 * The Prometheus metrics of one server instance, in a registry of its own so several
 * servers in one process (tests) never mix. Label values are only procedure paths from
 * the router, tRPC codes, HTTP statuses and model names: never user ids or raw URLs.
 */
export function createMetrics(options: MetricsOptions): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Every series below lives in this instance's registry.
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) => new Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });
  const known = new Set(options.knownProcedures);
  const procedureLabel = (path: string | undefined) => (path && known.has(path) ? path : "unknown");

  const duration = histogram(
    "parley_trpc_request_duration_seconds",
    "Time to answer a tRPC call, by procedure, type and HTTP status (subscriptions: until the stream is set up)",
    ["procedure", "type", "status"],
    REQUEST_BUCKETS,
  );
  const calls = counter("parley_trpc_calls_total", "tRPC calls by procedure and type", [
    "procedure",
    "type",
  ]);
  const errors = counter(
    "parley_trpc_errors_total",
    "Failed tRPC calls by procedure and tRPC error code",
    ["procedure", "code"],
  );
  const openStreams = gauge(
    "parley_open_streams",
    "Subscription streams (SSE) open on this replica",
    ["procedure"],
  );
  for (const path of options.subscriptions ?? []) openStreams.set({ procedure: path }, 0);

  // Label children bound once per (procedure, type, status): prom-client otherwise hashes
  // a label object on every call. Bounded: procedures are the router's, statuses tRPC's.
  const bound = new Map<string, ReturnType<typeof bindSeries>>();
  const bindSeries = (procedure: string, type: string, status: number) => ({
    procedure,
    calls: calls.labels(procedure, type),
    duration: duration.labels(procedure, type, String(status)),
  });
  const seriesOf = (procedure: string, type: string, status: number) => {
    const key = `${procedure} ${type} ${status}`;
    let series = bound.get(key);
    if (!series) bound.set(key, (series = bindSeries(procedure, type, status)));
    return series;
  };

  // Distinct users of the last 5 minutes (shared by all replicas when Redis-backed) and
  // this replica's readiness: both asked at scrape time.
  let activeUsers: ActiveUserCounter | undefined;
  let ready: (() => Promise<boolean>) | undefined;
  new Gauge({
    name: "parley_active_users",
    help: "Distinct signed-in users who made a request in the last 5 minutes (across all replicas)",
    registers: [registry],
    async collect() {
      if (!activeUsers) return this.set(0);
      // Redis down: keep the last value rather than fail the whole scrape.
      await activeUsers.count().then(
        (n) => this.set(n),
        () => {},
      );
    },
  });
  new Gauge({
    name: "parley_ready",
    help: "1 when this replica can serve requests (its database answers), else 0",
    registers: [registry],
    async collect() {
      this.set(ready ? ((await ready().catch(() => false)) ? 1 : 0) : 1);
    },
  });

  const modelLabel = boundedLabel(MAX_LABEL_VALUES);
  const errorKindLabel = boundedLabel(MAX_LABEL_VALUES);
  const firstToken = histogram(
    "parley_model_time_to_first_token_seconds",
    "Time from calling the model to its first content chunk, by model",
    ["model"],
    FIRST_TOKEN_BUCKETS,
  );
  const generationDuration = histogram(
    "parley_model_generation_duration_seconds",
    "Time from calling the model to the end of its reply, by model",
    ["model"],
    GENERATION_BUCKETS,
  );
  const tokens = counter(
    "parley_model_tokens_total",
    "Tokens reported by the model, by model and kind (prompt or completion)",
    ["model", "kind"],
  );
  const generations = counter(
    "parley_generations_total",
    "Finished generations by model and outcome (complete, error, stopped, ...)",
    ["model", "status"],
  );
  const generationErrors = counter(
    "parley_generation_errors_total",
    "Generations that ended in error, by model and kind of failure (timeout, rate_limited, ...)",
    ["model", "kind"],
  );

  const usageTokens = counter(
    "parley_usage_tokens_total",
    "Tokens recorded against users' quotas, by model, source (chat or api) and kind (prompt or completion)",
    ["model", "source", "kind"],
  );
  const quotaRefusals = counter(
    "parley_quota_refusals_total",
    "Calls refused because the user's daily token quota was spent, by source (chat or api)",
    ["source"],
  );
  for (const source of ["chat", "api"]) quotaRefusals.inc({ source }, 0);
  const v1Duration = histogram(
    "parley_v1_request_duration_seconds",
    "Time to answer a /v1 request (a stream: until it ended), by endpoint, stream and HTTP status",
    ["endpoint", "stream", "status"],
    [...REQUEST_BUCKETS, 20, 40, 80, 160, 300],
  );
  const v1FirstToken = histogram(
    "parley_v1_time_to_first_token_seconds",
    "Time from a streamed /v1/chat/completions request to its first content chunk, by model",
    ["model"],
    FIRST_TOKEN_BUCKETS,
  );

  return {
    registry,
    usageObserver: {
      onUsage(report) {
        const labels = { model: modelLabel(report.model), source: report.source };
        if (report.promptTokens)
          usageTokens.inc({ ...labels, kind: "prompt" }, report.promptTokens);
        if (report.completionTokens)
          usageTokens.inc({ ...labels, kind: "completion" }, report.completionTokens);
      },
      onQuotaRefused: ({ source }) => quotaRefusals.inc({ source }),
    },
    v1Observer: {
      onRequest(info) {
        v1Duration.observe(
          { endpoint: info.endpoint, stream: String(info.stream), status: String(info.status) },
          info.durationMs / 1000,
        );
      },
      onFirstToken(info) {
        v1FirstToken.observe({ model: modelLabel(info.model) }, info.timeToFirstTokenMs / 1000);
      },
    },
    procedureObserver: {
      onCall(call) {
        const series = seriesOf(procedureLabel(call.path), call.type, call.httpStatus);
        series.calls.inc();
        series.duration.observe(call.durationMs / 1000);
        if (call.errorCode) errors.inc({ procedure: series.procedure, code: call.errorCode });
      },
      onStreamOpened: (path) => openStreams.inc({ procedure: procedureLabel(path) }),
      onStreamClosed: (path) => openStreams.dec({ procedure: procedureLabel(path) }),
      onUnobservedError(path, code) {
        const procedure = procedureLabel(path);
        // A call to a path that does not exist never reached a procedure; count it here.
        if (procedure === "unknown") calls.inc({ procedure, type: "unknown" });
        errors.inc({ procedure, code });
      },
    },
    watch(sources) {
      activeUsers = sources.activeUsers ?? activeUsers;
      ready = sources.ready ?? ready;
    },
    generationObserver: {
      onFirstToken(info) {
        firstToken.observe({ model: modelLabel(info.model) }, info.timeToFirstTokenMs / 1000);
      },
      onFinish(outcome) {
        const model = modelLabel(outcome.model);
        generations.inc({ model, status: outcome.status });
        generationDuration.observe({ model }, outcome.durationMs / 1000);
        if (outcome.status === "error")
          generationErrors.inc({ model, kind: errorKindLabel(outcome.errorKind ?? "unknown") });
        if (outcome.usage?.promptTokens)
          tokens.inc({ model, kind: "prompt" }, outcome.usage.promptTokens);
        if (outcome.usage?.completionTokens)
          tokens.inc({ model, kind: "completion" }, outcome.usage.completionTokens);
      },
    },
    async render() {
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}

/** Passes values through until `max` distinct ones were seen, then answers "other". */
function boundedLabel(max: number) {
  const seen = new Set<string>();
  return (value: string) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return "other";
    seen.add(value);
    return value;
  };
}

/**
 * GET /metrics. With a token configured, only `Authorization: Bearer <token>` gets in
 * (compared in constant time); without one it is open, for a private network.
 */
export function metricsHandler(metrics: ServerMetrics, token: string | undefined) {
  const expected = token ? digest(token) : null;
  return async (c: HonoContext) => {
    if (expected) {
      const header = c.req.header("authorization") ?? "";
      const presented = header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : "";
      if (!presented || !timingSafeEqual(digest(presented), expected)) {
        c.header("WWW-Authenticate", 'Bearer realm="metrics"');
        return c.text("metrics need a bearer token\n", 401);
      }
    }
    const { body, contentType } = await metrics.render();
    return c.body(body, 200, { "Content-Type": contentType, "Cache-Control": "no-store" });
  };
}

// Equal-length digests, so timingSafeEqual neither throws nor leaks the token's length.
function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

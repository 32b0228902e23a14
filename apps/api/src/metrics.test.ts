import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "../test/ops-helpers";
import { createMetrics } from "./metrics";

const outcome = {
  messageId: "m-1",
  model: "gpt-4o-mini",
  status: "complete" as const,
  durationMs: 1_500,
  timeToFirstTokenMs: 300,
  usage: { promptTokens: 12, completionTokens: 40 },
  errorKind: null,
};

async function samples(metrics: ReturnType<typeof createMetrics>) {
  return parsePrometheusText((await metrics.render()).body).samples;
}

describe("model metrics from the generation observer", () => {
  it("records time to first token, duration, tokens by kind and the outcome, by model", async () => {
    const metrics = createMetrics({ knownProcedures: [] });
    metrics.generationObserver.onFirstToken?.({
      messageId: "m-1",
      model: "gpt-4o-mini",
      timeToFirstTokenMs: 300,
    });
    metrics.generationObserver.onFinish?.(outcome);
    metrics.generationObserver.onFinish?.({
      ...outcome,
      status: "error",
      usage: null,
      timeToFirstTokenMs: null,
      errorKind: "rate_limited",
    });
    const all = await samples(metrics);
    const value = (name: string, labels: Record<string, string>) =>
      all.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    expect(value("parley_model_time_to_first_token_seconds_count", { model: "gpt-4o-mini" })).toBe(
      1,
    );
    expect(
      value("parley_model_time_to_first_token_seconds_sum", { model: "gpt-4o-mini" }),
    ).toBeCloseTo(0.3);
    expect(value("parley_model_generation_duration_seconds_count", { model: "gpt-4o-mini" })).toBe(
      2,
    );
    expect(value("parley_model_tokens_total", { model: "gpt-4o-mini", kind: "prompt" })).toBe(12);
    expect(value("parley_model_tokens_total", { model: "gpt-4o-mini", kind: "completion" })).toBe(
      40,
    );
    expect(value("parley_generations_total", { model: "gpt-4o-mini", status: "complete" })).toBe(1);
    expect(value("parley_generations_total", { model: "gpt-4o-mini", status: "error" })).toBe(1);
    expect(
      value("parley_generation_errors_total", { model: "gpt-4o-mini", kind: "rate_limited" }),
    ).toBe(1);
  });

  it("caps the number of distinct model names that become series", async () => {
    const metrics = createMetrics({ knownProcedures: [] });
    for (let i = 0; i < 80; i++)
      metrics.generationObserver.onFinish?.({ ...outcome, model: `model-${i}` });
    const models = new Set(
      (await samples(metrics))
        .filter((s) => s.name === "parley_generations_total")
        .map((s) => s.labels.model),
    );
    expect(models.size).toBe(51);
    expect(models.has("other")).toBe(true);
  });
});

describe("procedure metrics", () => {
  it("buckets paths the router does not know as unknown", async () => {
    const metrics = createMetrics({ knownProcedures: ["auth.me"], subscriptions: [] });
    metrics.procedureObserver.onUnobservedError("users/5f1c-secret-id", "NOT_FOUND");
    metrics.procedureObserver.onUnobservedError("auth.me", "METHOD_NOT_SUPPORTED");
    metrics.procedureObserver.onCall({
      path: "made.up",
      type: "query",
      durationMs: 1,
      httpStatus: 200,
      errorCode: null,
    });
    const all = await samples(metrics);
    const labels = all
      .filter((s) => s.name.startsWith("parley_trpc"))
      .map((s) => s.labels.procedure);
    expect(new Set(labels)).toEqual(new Set(["unknown", "auth.me"]));
    expect(
      all.find((s) => s.name === "parley_trpc_errors_total" && s.labels.procedure === "auth.me")
        ?.value,
    ).toBe(1);
    // A known path's pre-procedure error is an error, not another call (the call was counted).
    expect(
      all.find((s) => s.name === "parley_trpc_calls_total" && s.labels.procedure === "auth.me"),
    ).toBeUndefined();
  });

  it("keeps serving a scrape when the active-user store fails", async () => {
    const metrics = createMetrics({ knownProcedures: [] });
    metrics.watch({
      activeUsers: {
        record: async () => {},
        count: async () => Promise.reject(new Error("redis down")),
      },
      ready: async () => false,
    });
    const all = await samples(metrics);
    expect(all.find((s) => s.name === "parley_ready")?.value).toBe(0);
    expect(all.find((s) => s.name === "parley_active_users")).toBeDefined();
  });
});

import { appRouter } from "@parley/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routerProcedures } from "../src/metrics";
import {
  callProcedure,
  scrape,
  startTestServer,
  type Sample,
  type TestServer,
} from "./ops-helpers";

const METRICS_TOKEN = "metrics-token-for-tests-0123456789";
const password = "correct horse battery staple";

type AuthPayload = { accessToken: string; user: { id: string; username: string; email: string } };

let t: TestServer;
const people: AuthPayload[] = [];

beforeAll(async () => {
  t = await startTestServer({ METRICS_TOKEN });
  for (const name of ["metrics_alice", "metrics_bob"]) {
    const registered = await callProcedure(t.base, "auth.register", {
      input: { username: name, email: `${name}@example.com`, password, refreshTokenInBody: true },
    });
    expect(registered.status).toBe(200);
    people.push(registered.data as AuthPayload);
  }
  const [alice, bob] = people as [AuthPayload, AuthPayload];
  const as = (p: AuthPayload) => ({ authorization: `Bearer ${p.accessToken}` });
  // Alice three times, Bob once: active users must count people, not requests.
  for (let i = 0; i < 3; i++)
    expect((await callProcedure(t.base, "auth.me", { headers: as(alice) })).status).toBe(200);
  expect((await callProcedure(t.base, "auth.me", { headers: as(bob) })).status).toBe(200);
  expect((await callProcedure(t.base, "health.ping")).status).toBe(200);
  // Failures: anonymous, bad input, a path that does not exist (and one shaped like a secret).
  expect((await callProcedure(t.base, "auth.me")).errorCode).toBe("UNAUTHORIZED");
  expect(
    (
      await callProcedure(t.base, "auth.register", {
        input: { username: "x", email: "nope", password: "1" },
      })
    ).errorCode,
  ).toBe("BAD_REQUEST");
  expect((await callProcedure(t.base, "no.such.procedure")).status).toBe(404);
  expect((await callProcedure(t.base, `users/${alice.user.id}`)).status).toBe(404);
});
afterAll(() => t?.stop());

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );

describe("/metrics after real calls", () => {
  it("needs the bearer token when METRICS_TOKEN is set", async () => {
    expect((await fetch(`${t.base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${t.base}/metrics`, {
      headers: { authorization: "Bearer not-the-token-at-all" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    const right = await fetch(`${t.base}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(right.status).toBe(200);
    expect(right.headers.get("content-type")).toContain("text/plain");
  });

  it("has request durations by procedure, type and status", async () => {
    const { samples } = await scrape(t.base, METRICS_TOKEN);
    const count = (labels: Record<string, string>) =>
      find(samples, "parley_trpc_request_duration_seconds_count", labels)[0]?.value;
    expect(count({ procedure: "auth.me", type: "query", status: "200" })).toBe(4);
    expect(count({ procedure: "auth.me", type: "query", status: "401" })).toBe(1);
    expect(count({ procedure: "auth.register", type: "mutation", status: "200" })).toBe(2);
    expect(count({ procedure: "auth.register", type: "mutation", status: "400" })).toBe(1);
    expect(count({ procedure: "health.ping", type: "query", status: "200" })).toBe(1);
    const buckets = find(samples, "parley_trpc_request_duration_seconds_bucket", {
      procedure: "health.ping",
    });
    expect(buckets.map((b) => b.labels.le)).toContain("0.2");
    expect(buckets.find((b) => b.labels.le === "+Inf")?.value).toBe(1);
  });

  it("counts calls per procedure and errors per procedure and code, unknown paths bucketed", async () => {
    const { samples } = await scrape(t.base, METRICS_TOKEN);
    expect(
      find(samples, "parley_trpc_calls_total", { procedure: "auth.me", type: "query" })[0]?.value,
    ).toBe(5);
    expect(find(samples, "parley_trpc_calls_total", { procedure: "unknown" })[0]?.value).toBe(2);
    const errors = (procedure: string, code: string) =>
      find(samples, "parley_trpc_errors_total", { procedure, code })[0]?.value;
    expect(errors("auth.me", "UNAUTHORIZED")).toBe(1);
    expect(errors("auth.register", "BAD_REQUEST")).toBe(1);
    expect(errors("unknown", "NOT_FOUND")).toBe(2);
    expect(find(samples, "parley_trpc_errors_total", { procedure: "health.ping" })).toEqual([]);
  });

  it("counts distinct active users, not requests", async () => {
    const { samples } = await scrape(t.base, METRICS_TOKEN);
    expect(find(samples, "parley_active_users")[0]?.value).toBe(2);
  });

  it("reports readiness, open streams and the default process metrics", async () => {
    const { samples, types } = await scrape(t.base, METRICS_TOKEN);
    expect(find(samples, "parley_ready")[0]?.value).toBe(1);
    expect(types.get("parley_open_streams")).toBe("gauge");
    for (const path of routerProcedures(appRouter).subscriptions) {
      expect(find(samples, "parley_open_streams", { procedure: path })[0]?.value).toBe(0);
    }
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_heap_size_used_bytes",
      "nodejs_eventloop_lag_p99_seconds",
    ]) {
      expect(find(samples, name).length, name).toBeGreaterThan(0);
    }
  });

  it("declares the model metrics with their types", async () => {
    const { types } = await scrape(t.base, METRICS_TOKEN);
    expect(types.get("parley_model_time_to_first_token_seconds")).toBe("histogram");
    expect(types.get("parley_model_generation_duration_seconds")).toBe("histogram");
    expect(types.get("parley_model_tokens_total")).toBe("counter");
    expect(types.get("parley_generations_total")).toBe("counter");
  });

  it("never uses user ids, names or raw paths as label values", async () => {
    const { samples } = await scrape(t.base, METRICS_TOKEN);
    const known = new Set([...routerProcedures(appRouter).knownProcedures, "unknown"]);
    const forbidden = people.flatMap((p) => [p.user.id, p.user.username, p.user.email]);
    for (const sample of samples.filter((s) => s.name.startsWith("parley_"))) {
      for (const [label, value] of Object.entries(sample.labels)) {
        expect(
          forbidden.some((f) => value.includes(f)),
          `${sample.name}{${label}="${value}"}`,
        ).toBe(false);
        expect(value, `${sample.name}{${label}}`).not.toMatch(/\//);
        if (label === "procedure") expect(known.has(value), value).toBe(true);
      }
    }
  });
});

describe("/metrics without METRICS_TOKEN", () => {
  it("is open (for a private network)", async () => {
    const open = await startTestServer();
    try {
      expect((await fetch(`${open.base}/metrics`)).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});

import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AppDeps, AuthUser } from "./context";
import { createContextInner } from "./context";
import { DomainError } from "./errors";
import { createMemoryActiveUserCounter } from "../infra/active-users";
import { wasObserved, type ProcedureCall, type ProcedureObserver } from "./observability";
import { readProcedure, publicProcedure } from "./procedures";
import { createCallerFactory, router } from "./trpc";

// A router of its own, so every outcome (success, each kind of error, a stream) can be
// produced on demand through the real procedure builders and middleware chain.
const testRouter = router({
  ok: publicProcedure.query(() => "fine"),
  mine: readProcedure.query(({ ctx }) => ctx.user.id),
  missing: publicProcedure.query(() => {
    throw new DomainError("NOT_FOUND", "Conversation not found");
  }),
  broken: publicProcedure.mutation(() => {
    throw new Error("database exploded");
  }),
  validated: publicProcedure
    .input(z.object({ name: z.string().min(3) }))
    .mutation(({ input }) => input.name),
  ticks: publicProcedure.input(z.object({ count: z.number() })).subscription(async function* ({
    input,
  }) {
    for (let i = 0; i < input.count; i++) yield i;
  }),
});

function recordingObserver() {
  const calls: ProcedureCall[] = [];
  const streams = { opened: 0, closed: 0 };
  const observer: ProcedureObserver = {
    onCall: (call) => calls.push(call),
    onStreamOpened: () => streams.opened++,
    onStreamClosed: () => streams.closed++,
  };
  return { calls, streams, observer };
}

function callerFor(user: AuthUser | null, extra: Partial<AppDeps>) {
  // Only the observability fields are read by these procedures; the rest of AppDeps
  // (database, auth services) is never touched, so it is left out on purpose.
  const deps = { db: null, redis: null, ...extra } as unknown as AppDeps;
  return createCallerFactory(testRouter)(createContextInner({ deps, user }));
}

const alice: AuthUser = { id: "user-alice", role: "user", sessionId: "s1" };
const bob: AuthUser = { id: "user-bob", role: "user", sessionId: "s2" };

describe("procedure observation", () => {
  it("reports a successful call with its path, type and status 200", async () => {
    const { calls, observer } = recordingObserver();
    await expect(callerFor(null, { procedureObserver: observer }).ok()).resolves.toBe("fine");
    expect(calls).toEqual([
      {
        path: "ok",
        type: "query",
        httpStatus: 200,
        errorCode: null,
        durationMs: expect.any(Number),
      },
    ]);
    expect(calls[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ["mine", "UNAUTHORIZED", 401],
    ["missing", "NOT_FOUND", 404],
  ] as const)("reports %s failing with %s / %i", async (path, code, status) => {
    const { calls, observer } = recordingObserver();
    const caller = callerFor(null, { procedureObserver: observer });
    const error = await caller[path]().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect(calls).toMatchObject([{ path, type: "query", httpStatus: status, errorCode: code }]);
    // The HTTP adapter's onError skips errors already counted here.
    expect(wasObserved(error)).toBe(true);
  });

  it("reports invalid input as BAD_REQUEST and an unexpected throw as a 500", async () => {
    const { calls, observer } = recordingObserver();
    const caller = callerFor(null, { procedureObserver: observer });
    await expect(caller.validated({ name: "x" })).rejects.toThrow();
    await expect(caller.broken()).rejects.toThrow();
    expect(calls).toMatchObject([
      { path: "validated", type: "mutation", httpStatus: 400, errorCode: "BAD_REQUEST" },
      { path: "broken", type: "mutation", httpStatus: 500, errorCode: "INTERNAL_SERVER_ERROR" },
    ]);
  });

  it("counts each signed-in caller once as an active user, and anonymous callers not at all", async () => {
    const activeUsers = createMemoryActiveUserCounter();
    await callerFor(null, { activeUsers }).ok();
    await callerFor(alice, { activeUsers }).mine();
    await callerFor(alice, { activeUsers }).ok();
    await callerFor(bob, { activeUsers }).mine();
    // Recording is fire-and-forget; the in-process counter has applied it by now.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await activeUsers.count()).toBe(2);
  });

  it("counts a subscription stream as open until it ends", async () => {
    const { calls, streams, observer } = recordingObserver();
    const stream = await callerFor(null, { procedureObserver: observer }).ticks({ count: 3 });
    const iterator = stream[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 0 });
    expect(streams).toEqual({ opened: 1, closed: 0 });
    const rest: unknown[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    expect(rest).toEqual([1, 2]);
    expect(streams).toEqual({ opened: 1, closed: 1 });
    expect(calls).toMatchObject([{ path: "ticks", type: "subscription", httpStatus: 200 }]);
  });

  it("closes the count when the client goes away mid-stream", async () => {
    const { streams, observer } = recordingObserver();
    const stream = await callerFor(null, { procedureObserver: observer }).ticks({ count: 100 });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.return?.(undefined);
    expect(streams).toEqual({ opened: 1, closed: 1 });
  });

  it("works with no observer and no counter (tests and tools that build bare deps)", async () => {
    await expect(callerFor(alice, {}).mine()).resolves.toBe("user-alice");
  });
});

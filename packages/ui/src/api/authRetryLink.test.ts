import { createTRPCClient, TRPCClientError, type TRPCLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import { describe, expect, it } from "vitest";
import { authRetryLink, type TokenRefresher } from "./authRetryLink";

// A tiny router only for its types; the terminating link below answers instead of a server.
const t = initTRPC.create();
const _router = t.router({
  me: t.procedure.query(() => "me"),
  auth: t.router({ login: t.procedure.mutation(() => "ok") }),
  stream: t.procedure.subscription(async function* () {
    yield "x";
  }),
});
type Router = typeof _router;

function serverError(code: string) {
  return TRPCClientError.from({ error: { message: code, code: -32001, data: { code } } } as never);
}

/** A fake server: answers each call with the next scripted outcome, recording inputs. */
function scriptedLink(
  outcomes: ("ok" | string)[],
  seen: { path: string; input: unknown }[],
): TRPCLink<Router> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        seen.push({ path: op.path, input: op.input });
        const outcome = outcomes.shift() ?? "ok";
        if (outcome === "ok") {
          observer.next({ result: { type: "data", data: `answer:${op.path}` } });
          observer.complete();
        } else observer.error(serverError(outcome));
        return () => {};
      });
}

function refresher(ok: boolean) {
  const calls = { refresh: 0, expire: 0 };
  const r: TokenRefresher = {
    refresh: async () => {
      calls.refresh++;
      return ok;
    },
    expire: () => {
      calls.expire++;
    },
  };
  return { r, calls };
}

describe("authRetryLink", () => {
  it("refreshes once on UNAUTHORIZED and repeats the call", async () => {
    const seen: { path: string; input: unknown }[] = [];
    const { r, calls } = refresher(true);
    const client = createTRPCClient<Router>({
      links: [authRetryLink(r), scriptedLink(["UNAUTHORIZED", "ok"], seen)],
    });
    await expect(client.me.query()).resolves.toBe("answer:me");
    expect(calls).toEqual({ refresh: 1, expire: 0 });
    expect(seen).toHaveLength(2);
  });

  it("signs out when the refresh fails", async () => {
    const { r, calls } = refresher(false);
    const client = createTRPCClient<Router>({
      links: [authRetryLink(r), scriptedLink(["UNAUTHORIZED"], [])],
    });
    await expect(client.me.query()).rejects.toThrow("UNAUTHORIZED");
    expect(calls).toEqual({ refresh: 1, expire: 1 });
  });

  it("signs out when the repeated call is refused again, without a second refresh", async () => {
    const seen: { path: string; input: unknown }[] = [];
    const { r, calls } = refresher(true);
    const client = createTRPCClient<Router>({
      links: [authRetryLink(r), scriptedLink(["UNAUTHORIZED", "UNAUTHORIZED"], seen)],
    });
    await expect(client.me.query()).rejects.toThrow("UNAUTHORIZED");
    expect(calls).toEqual({ refresh: 1, expire: 1 });
    expect(seen).toHaveLength(2);
  });

  it.each(["FORBIDDEN", "BAD_REQUEST", "NOT_FOUND", "INTERNAL_SERVER_ERROR"])(
    "never retries %s",
    async (code) => {
      const seen: { path: string; input: unknown }[] = [];
      const { r, calls } = refresher(true);
      const client = createTRPCClient<Router>({
        links: [authRetryLink(r), scriptedLink([code], seen)],
      });
      await expect(client.me.query()).rejects.toThrow(code);
      expect(calls).toEqual({ refresh: 0, expire: 0 });
      expect(seen).toHaveLength(1);
    },
  );

  it("treats UNAUTHORIZED from login as wrong credentials, not an expired session", async () => {
    const { r, calls } = refresher(true);
    const client = createTRPCClient<Router>({
      links: [authRetryLink(r), scriptedLink(["UNAUTHORIZED"], [])],
    });
    await expect(client.auth.login.mutate()).rejects.toThrow("UNAUTHORIZED");
    expect(calls).toEqual({ refresh: 0, expire: 0 });
  });

  it("resumes a subscription after its last event id, so nothing is delivered twice", async () => {
    const inputs: unknown[] = [];
    let attempt = 0;
    const streamLink: TRPCLink<Router> =
      () =>
      ({ op }) =>
        observable((observer) => {
          inputs.push(op.input);
          attempt++;
          if (attempt === 1) {
            observer.next({
              result: { type: "data", id: "7", data: { id: "7", data: "a" } } as never,
            });
            observer.error(serverError("UNAUTHORIZED"));
          } else {
            observer.next({
              result: { type: "data", id: "8", data: { id: "8", data: "b" } } as never,
            });
            observer.complete();
          }
          return () => {};
        });
    const { r, calls } = refresher(true);
    const client = createTRPCClient<Router>({ links: [authRetryLink(r), streamLink] });
    const received: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      client.stream.subscribe({ messageId: "m" } as never, {
        onData: (d) => received.push(d),
        onComplete: () => resolve(),
        onError: reject,
      });
    });
    expect(calls.refresh).toBe(1);
    expect(inputs).toEqual([{ messageId: "m" }, { messageId: "m", lastEventId: "7" }]);
    expect(received).toHaveLength(2);
  });
});

import { QueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it, vi } from "vitest";
import type { PlatformBridge } from "../platform";
import { createStore } from "../store";
import { memoryStorage } from "../store/persistence";
import type { createAuthClient } from "./client";
import { SessionManager } from "./session";

// The auth client is replaced by a scripted one here: these tests are about the manager's
// decisions. The real HTTP path is covered by apps/web/e2e (browser and desktop-session).
type Outcome =
  { accessToken: string; refreshToken?: string } | "UNAUTHORIZED" | "DISABLED" | "NETWORK";

function setup(options: { desktop?: boolean; stored?: string | null; refresh?: Outcome[] } = {}) {
  const calls: { path: string; input: unknown }[] = [];
  const outcomes = [...(options.refresh ?? [])];
  let stored = options.stored ?? null;
  const answer = async (path: string, input: unknown) => {
    calls.push({ path, input });
    if (path !== "auth.refresh") return { ok: true };
    const next = outcomes.shift() ?? "UNAUTHORIZED";
    if (next === "NETWORK") throw new TypeError("fetch failed");
    if (next === "UNAUTHORIZED")
      throw TRPCClientError.from({
        error: { message: "no", code: -32001, data: { code: "UNAUTHORIZED" } },
      } as never);
    if (next === "DISABLED")
      throw TRPCClientError.from({
        error: {
          message: "This account has been disabled",
          code: -32001,
          data: { code: "UNAUTHORIZED", details: { reason: "ACCOUNT_DISABLED" } },
        },
      } as never);
    return next;
  };
  const authClient = {
    auth: {
      refresh: { mutate: (input?: unknown) => answer("auth.refresh", input) },
      logout: { mutate: (input?: unknown) => answer("auth.logout", input) },
    },
  } as unknown as ReturnType<typeof createAuthClient>;
  const platform: PlatformBridge = options.desktop
    ? {
        kind: "desktop",
        apiBaseUrl: "http://server",
        refreshTokenStore: {
          get: async () => stored,
          set: async (token) => {
            stored = token;
          },
        },
      }
    : { kind: "web", apiBaseUrl: "" };
  const store = createStore({ local: memoryStorage(), session: memoryStorage() });
  const session = new SessionManager({
    store,
    platform,
    authClient,
    queryClient: new QueryClient(),
  });
  return { session, store, calls, stored: () => stored };
}

describe("SessionManager on the web (cookie)", () => {
  it("restores a session from the cookie with one refresh shared by parallel callers", async () => {
    const { session, store, calls } = setup({ refresh: [{ accessToken: "a1" }] });
    const results = await Promise.all([session.refresh(), session.refresh(), session.restore()]);
    expect(results.slice(0, 2)).toEqual([true, true]);
    expect(calls).toEqual([{ path: "auth.refresh", input: undefined }]);
    expect(store.getState().auth).toMatchObject({ status: "signedIn", accessToken: "a1" });
  });

  it("shows the sign-in screen when there is no session", async () => {
    const { session, store } = setup({ refresh: ["UNAUTHORIZED"] });
    await session.restore();
    expect(store.getState().auth).toMatchObject({
      status: "signedOut",
      accessToken: null,
      signedOutReason: null,
    });
  });

  it("stays on restoring while the server is unreachable and finishes once it is back", async () => {
    const { session, store } = setup({ refresh: ["NETWORK", { accessToken: "a3" }] });
    await session.restore();
    expect(store.getState().auth.status).toBe("restoring");
    session.connectionRestored();
    await vi.waitFor(() => expect(store.getState().auth.status).toBe("signedIn"));
  });

  it("expiring twice signs out once, with the reason shown on the sign-in screen", () => {
    const { session, store } = setup();
    void session.completeSignIn({ accessToken: "a" });
    session.expire();
    session.expire();
    expect(store.getState().auth).toEqual({
      status: "signedOut",
      accessToken: null,
      signedOutReason: "expired",
    });
  });
});

describe("SessionManager and a disabled account", () => {
  it("says the account is disabled at start-up, not just the sign-in screen", async () => {
    const { session, store } = setup({ refresh: ["DISABLED"] });
    await session.restore();
    expect(store.getState().auth).toMatchObject({
      status: "signedOut",
      signedOutReason: "disabled",
    });
  });

  it("says the account is disabled when it happens mid-session, and a later plain expiry says expired", async () => {
    const { session, store } = setup({
      refresh: ["DISABLED", { accessToken: "b" }, "UNAUTHORIZED"],
    });
    void session.completeSignIn({ accessToken: "a" });
    expect(await session.refresh()).toBe(false);
    session.expire();
    expect(store.getState().auth.signedOutReason).toBe("disabled");
    await session.completeSignIn({ accessToken: "a2" });
    expect(await session.refresh()).toBe(true);
    expect(await session.refresh()).toBe(false);
    session.expire();
    expect(store.getState().auth.signedOutReason).toBe("expired");
  });
});

describe("SessionManager on the desktop (token store)", () => {
  it("refreshes with the stored token in the body and keeps the rotated one", async () => {
    const { session, store, calls, stored } = setup({
      desktop: true,
      stored: "r1",
      refresh: [{ accessToken: "a2", refreshToken: "r2" }],
    });
    expect(session.tokenInBody).toBe(true);
    await expect(session.refresh()).resolves.toBe(true);
    expect(calls).toEqual([{ path: "auth.refresh", input: { refreshToken: "r1" } }]);
    expect(stored()).toBe("r2");
    expect(store.getState().auth.accessToken).toBe("a2");
  });

  it("asks nothing when no token is stored", async () => {
    const { session, calls } = setup({ desktop: true, stored: null });
    await expect(session.refresh()).resolves.toBe(false);
    expect(calls).toEqual([]);
  });

  it("forgets a refused token but keeps it through a network failure", async () => {
    const offline = setup({ desktop: true, stored: "r1", refresh: ["NETWORK"] });
    await expect(offline.session.refresh()).rejects.toThrow("fetch failed");
    expect(offline.stored()).toBe("r1");
    const refused = setup({ desktop: true, stored: "r1", refresh: ["UNAUTHORIZED"] });
    await expect(refused.session.refresh()).resolves.toBe(false);
    expect(refused.stored()).toBeNull();
  });

  it("stores the token from sign-in and revokes it on sign-out", async () => {
    const { session, store, calls, stored } = setup({ desktop: true });
    await session.completeSignIn({ accessToken: "a", refreshToken: "r" });
    expect(stored()).toBe("r");
    await session.signOut();
    expect(calls).toEqual([{ path: "auth.logout", input: { refreshToken: "r" } }]);
    expect(stored()).toBeNull();
    expect(store.getState().auth.status).toBe("signedOut");
  });
});

import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "@parley/api";
import {
  createAuthClient,
  createLinks,
  createStore,
  memoryStorage,
  SessionManager,
  type PlatformBridge,
} from "@parley/ui/testing";
import { startStack, type Stack } from "./harness";
import { newAccount } from "./steps";

/**
 * The desktop's way of holding a session (refresh token in the OS keychain, sent in the
 * body) through the shared UI's real client code, over real HTTP: no browser needed.
 */
describe("the shared UI's session code with a desktop token store, against the real API", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("signs in, refreshes after the access token is lost, rotates the stored token, signs out", async () => {
    let keychain: string | null = null;
    const platform: PlatformBridge = {
      kind: "desktop",
      apiBaseUrl: stack.baseUrl,
      refreshTokenStore: {
        get: async () => keychain,
        set: async (token) => {
          keychain = token;
        },
      },
    };
    const store = createStore({ local: memoryStorage(), session: memoryStorage() });
    const getAccessToken = () => store.getState().auth.accessToken;
    const authClient = createAuthClient(platform.apiBaseUrl, getAccessToken);
    const session = new SessionManager({
      store,
      platform,
      authClient,
      queryClient: new QueryClient(),
    });
    const api = createTRPCClient<AppRouter>({
      links: createLinks({ apiBaseUrl: stack.baseUrl, getAccessToken, refresher: session }),
    });

    const account = newAccount("desk");
    await session.completeSignIn(
      await authClient.auth.register.mutate({ ...account, refreshTokenInBody: true }),
    );
    const first = keychain;
    expect(first).toBeTruthy();
    expect((await api.auth.me.query()).username).toBe(account.username);

    // A restart: memory is gone, the keychain is not. The first call is refused, refreshed
    // once with the stored token, and repeated.
    store.dispatch({ type: "auth/tokenRefreshed", payload: { accessToken: "not-a-valid-token" } });
    expect((await api.auth.me.query()).username).toBe(account.username);
    expect(keychain).toBeTruthy();
    expect(keychain).not.toBe(first);

    // The rotated-away token is dead: presenting it again revokes the session (reuse detection).
    await expect(authClient.auth.refresh.mutate({ refreshToken: first! })).rejects.toThrow();
    store.dispatch({ type: "auth/tokenRefreshed", payload: { accessToken: "not-a-valid-token" } });
    await expect(api.auth.me.query()).rejects.toThrow();
    expect(store.getState().auth).toMatchObject({
      status: "signedOut",
      signedOutReason: "expired",
    });
    expect(keychain).toBeNull();

    // Signing in again and out again leaves nothing usable behind.
    await session.completeSignIn(
      await authClient.auth.login.mutate({
        login: account.email,
        password: account.password,
        refreshTokenInBody: true,
      }),
    );
    const last = keychain!;
    await session.signOut();
    expect(keychain).toBeNull();
    await expect(authClient.auth.refresh.mutate({ refreshToken: last })).rejects.toThrow();
  });
});

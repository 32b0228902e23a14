import type { QueryClient } from "@tanstack/react-query";
import type { PlatformBridge } from "../platform";
import type { AppStore } from "../store";
import { signedIn, signedOut, tokenRefreshed } from "../store/authSlice";
import type { TokenRefresher } from "./authRetryLink";
import type { createAuthClient } from "./client";
import { isUnreachable } from "./connection";
import type { SignedOutReason } from "../store/authSlice";
import { errorCode, isAccountDisabled } from "./errors";

const RESTORE_RETRY_MS = 5_000;

/** What auth.login / auth.register / auth.refresh answer with. */
export interface IssuedTokens {
  accessToken: string;
  /** Only when asked for in the body (desktop); the web gets an HttpOnly cookie instead. */
  refreshToken?: string | null;
}

/**
 * Owns the session on the client: the access token in Redux (memory only), the refresh
 * token in the HttpOnly cookie (web) or the platform's keychain store (desktop).
 */
export class SessionManager implements TokenRefresher {
  private inFlight: Promise<boolean> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Why the server last refused the session, told on the sign-in screen. */
  private refusal: SignedOutReason = "expired";

  constructor(
    private readonly deps: {
      store: AppStore;
      platform: PlatformBridge;
      authClient: ReturnType<typeof createAuthClient>;
      queryClient: QueryClient;
    },
  ) {}

  /** True when the refresh token lives in the platform store and travels in the body. */
  get tokenInBody(): boolean {
    return Boolean(this.deps.platform.refreshTokenStore);
  }

  getAccessToken = (): string | null => this.deps.store.getState().auth.accessToken;

  /**
   * At start-up: a stored session becomes signed in, a refused one signed out. While the
   * server cannot answer, the app stays on "restoring" (the connection banner says why) and
   * tries again once the connection is back, or after a while when the server answered
   * with an error: an outage must not look like a sign-out.
   */
  async restore(): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.refresh();
    } catch (error) {
      if (!isUnreachable(error)) {
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = null;
          void this.restore();
        }, RESTORE_RETRY_MS);
      }
      return;
    }
    // A stored session that simply ended needs no explanation at start-up; a disabled
    // account does, or the person would sign in only to be refused.
    if (!ok && this.deps.store.getState().auth.status !== "signedOut")
      this.deps.store.dispatch(
        signedOut(this.refusal === "disabled" ? { reason: "disabled" } : undefined),
      );
  }

  /** The connection came back: a start-up that could not reach the server tries again. */
  connectionRestored(): void {
    if (this.deps.store.getState().auth.status === "restoring") void this.restore();
  }

  /**
   * One refresh at a time: parallel UNAUTHORIZED answers share a single rotation. False when
   * the server refused the session; throws when it could not say (unreachable, failing), so
   * callers keep the session instead of signing out.
   */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.doRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async doRefresh(): Promise<boolean> {
    const { authClient, platform, store } = this.deps;
    try {
      let tokens: IssuedTokens;
      if (platform.refreshTokenStore) {
        const stored = await platform.refreshTokenStore.get();
        if (!stored) return false;
        tokens = await authClient.auth.refresh.mutate({ refreshToken: stored });
        if (tokens.refreshToken) await platform.refreshTokenStore.set(tokens.refreshToken);
      } else {
        tokens = await authClient.auth.refresh.mutate();
      }
      store.dispatch(tokenRefreshed({ accessToken: tokens.accessToken }));
      this.refusal = "expired";
      return true;
    } catch (error) {
      // The server refused the token: forget it. Other failures (network) keep it for later.
      if (errorCode(error) === "UNAUTHORIZED" || errorCode(error) === "BAD_REQUEST") {
        this.refusal = isAccountDisabled(error) ? "disabled" : "expired";
        await platform.refreshTokenStore?.set(null);
        return false;
      }
      throw error;
    }
  }

  async completeSignIn(tokens: IssuedTokens): Promise<void> {
    if (this.deps.platform.refreshTokenStore && tokens.refreshToken) {
      await this.deps.platform.refreshTokenStore.set(tokens.refreshToken);
    }
    this.deps.queryClient.clear();
    this.deps.store.dispatch(signedIn({ accessToken: tokens.accessToken }));
  }

  async signOut(): Promise<void> {
    const { authClient, platform, store, queryClient } = this.deps;
    try {
      const stored = platform.refreshTokenStore ? await platform.refreshTokenStore.get() : null;
      await authClient.auth.logout.mutate(stored ? { refreshToken: stored } : undefined);
    } catch {
      // Signing out locally must work even when the server cannot be reached.
    }
    await platform.refreshTokenStore?.set(null);
    store.dispatch(signedOut());
    queryClient.clear();
  }

  /** The server no longer accepts this session (revoked, expired, disabled). */
  expire = (): void => {
    if (this.deps.store.getState().auth.status === "signedOut") return;
    void this.deps.platform.refreshTokenStore?.set(null);
    this.deps.store.dispatch(signedOut({ reason: this.refusal }));
    this.deps.queryClient.clear();
  };
}

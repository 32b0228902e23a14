import type { Database } from "@parley/db";
import type { ReadReplicas } from "./read-replicas";
import type { Redis } from "ioredis";
import type { AuthDeps } from "./auth/deps";
import type { KeyRing } from "./crypto";
import type { FilesRuntime } from "./files";
import type { GenerationObserver } from "../features/chat/observer";
import type { ChatRuntime } from "../features/chat/runtime";
import type { OidcClient } from "../features/oidc/client";
import type { ActiveUserCounter } from "../infra/active-users";
import type { HistoryCache } from "../infra/history-cache";
import type { ProcedureObserver } from "./observability";
import type { RateLimiter } from "../infra/rate-limit";
import type { SessionCache } from "../infra/session-cache";
import type { UsageMeter } from "./usage-meter";

/** Who is calling, as resolved by the HTTP adapter from a token or API key. */
export interface AuthUser {
  id: string;
  role: "user" | "admin";
  /** The session behind the access token; null when the caller used an API key. */
  sessionId: string | null;
  /** The account as the session cache or Postgres had it when the request was
   * authenticated: what auth.me answers without another read. */
  account?: { username: string; email: string; createdAt: Date };
  /** The API key the caller used, with what it may do; absent or null for a session. */
  apiKey?: { id: string; scopes: readonly ApiKeyScope[] } | null;
  /** The admin's daily token quota override as authentication found it (null: the default
   * applies); undefined when not known, and the quota check then reads it from Postgres. */
  quotaOverride?: number | null;
}

/** What an API key may do. `chat`: talk to models (chat procedures and /v1); `read`: read
 * conversations, usage and settings; `admin`: admin procedures, for admins' keys only. No
 * scope lets a key change the account itself (email, password, sessions, keys, 2FA). */
export const API_KEY_SCOPES = ["chat", "read", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What a request knows about its transport, for audit and rate limits. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
  /** Headers the auth procedures read and write (cookies, Origin). */
  headers: Headers;
  /** Response headers a procedure wants to set (Set-Cookie, Retry-After). */
  responseHeaders: Headers;
  /** The request came over HTTPS (as a trusted proxy said): cookies are then Secure. */
  secure: boolean;
  /** Named in "Internal server error" answers, so a report can be matched to the log. */
  requestId: string;
}

/**
 * Long-lived things shared by every request: built once by the server (apps/api) or by a
 * test, with real implementations chosen there (Redis or in-process).
 */
export interface AppDeps {
  db: Database;
  /** Shared Redis connection, or null for the single-process embedded default. Each use
   * sits behind an interface with an in-process twin (see src/infra). */
  redis: Redis | null;
  /** Auth settings and password hashing (see src/auth; build with createAuthDeps). */
  auth: AuthDeps["auth"];
  /** ENCRYPTION_KEY and its predecessors: seals every secret and file data key at rest. */
  keyRing: KeyRing;
  /** Live-session cache checked on every request (Redis or in-process). */
  sessionCache: SessionCache;
  /** Sliding-window limits for login and registration (Redis or in-process). */
  rateLimiter: RateLimiter;
  /** Distinct signed-in users of the last minutes, for the active-users metric (Redis or
   * in-process; see src/infra/active-users). Optional: tests may leave it out. */
  activeUsers?: ActiveUserCounter;
  /** Told about every procedure call and open stream (the server's Prometheus metrics). */
  procedureObserver?: ProcedureObserver;
  /** Chat generation: model provider, stream bus, cancel signal, running generations and
   * the lease sweeper (build with createChatRuntime). Optional so tests of other areas can
   * leave it out; chat procedures then answer SERVICE_UNAVAILABLE. */
  chat?: ChatRuntime;
  /** Told how every generation goes (time to first token, outcome, usage), for metrics. */
  generationObserver?: GenerationObserver;
  /** Where uploaded files are stored and the limits on them. Optional so tests of other
   * areas can leave it out; file routes then answer 503 and attachments are refused. */
  files?: FilesRuntime;
  /** Token accounting and daily quotas, shared by chat and /v1 (see core/usage-meter).
   * Optional so tests of other areas can leave it out; nothing is then counted or capped. */
  usage?: UsageMeter;
  /** Read replicas for history reads, with read-your-writes (see core/read-replicas).
   * Optional: without it every read uses `db`. */
  reads?: ReadReplicas;
  /** Conversation lists and finished message pages, in memory and Redis, forgotten on every
   * write of the user (see src/infra/history-cache). Optional: without it every read loads. */
  historyCache?: HistoryCache;
  /** Single sign-on through an OpenID provider, when OIDC_ISSUER is configured. */
  oidc?: OidcClient;
}

// A type alias (not an interface) so it satisfies adapters that expect Record<string, unknown>.
export type ContextInner = {
  deps: AppDeps;
  user: AuthUser | null;
  req: RequestMeta;
};

export function createRequestMeta(partial: Partial<RequestMeta> = {}): RequestMeta {
  return {
    ip: partial.ip ?? "127.0.0.1",
    userAgent: partial.userAgent ?? null,
    headers: partial.headers ?? new Headers(),
    responseHeaders: partial.responseHeaders ?? new Headers(),
    secure: partial.secure ?? false,
    requestId: partial.requestId ?? "local",
  };
}

/** The tRPC context, built from plain values; tests call it directly. */
export function createContextInner(opts: {
  deps: AppDeps;
  user?: AuthUser | null;
  req?: Partial<RequestMeta>;
}): ContextInner {
  return { deps: opts.deps, user: opts.user ?? null, req: createRequestMeta(opts.req) };
}

export type Context = ContextInner;

import type { ServerCheck } from "../shared/ipc";
import { normalizeServerUrl } from "../shared/server-url";

export interface ServerCheckOptions {
  fetch?: typeof fetch;
  /** Per request. */
  timeoutMs?: number;
  /** The renderer's origin: when given, the server must allow it by CORS, or the UI's own
   * requests would fail after this check passed. */
  appOrigin?: string;
}

/** Enough for `{status:"ok"}` and a tRPC result; a bigger answer is not Parley's. */
const maxBodyBytes = 64 * 1024;

/**
 * Decides whether a URL is a Parley server the app can use: `/healthz` must answer
 * `{"status":"ok"}` and `/trpc/health.ping` must answer as Parley's API does. Many servers
 * have a /healthz, so the second request is what tells Parley apart. Runs in the main
 * process: the renderer's CSP lets it talk only to the server already chosen.
 */
export async function checkParleyServer(
  input: string,
  options: ServerCheckOptions = {},
): Promise<ServerCheck> {
  const normalized = normalizeServerUrl(input);
  if (!normalized.ok) return { ok: false, problem: "invalid-url", message: normalized.message };
  const base = normalized.url;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;

  const health = await getJson(doFetch, `${base}/healthz`, timeoutMs);
  if (!health.ok) return failure(base, health);
  if (health.status >= 300 && health.status < 400) {
    return {
      ok: false,
      problem: "not-parley",
      message: `${base} redirects${health.location ? ` to ${health.location}` : ""}. Enter the address it redirects to (for example with https://).`,
    };
  }
  if (health.status !== 200 || !isRecord(health.body) || health.body.status !== "ok") {
    return {
      ok: false,
      problem: "not-parley",
      message: `${base} answered /healthz with ${describe(health)}, not Parley's {"status":"ok"}. Is this the right address?`,
    };
  }

  const ping = await getJson(doFetch, `${base}/trpc/health.ping`, timeoutMs, options.appOrigin);
  if (!ping.ok) return failure(base, ping);
  if (ping.status === 200 && pingSucceeded(ping.body)) {
    if (options.appOrigin && !corsAllows(ping.allowOrigin, options.appOrigin)) {
      return {
        ok: false,
        problem: "origin-not-allowed",
        message: `${base} is a Parley server but does not accept requests from the desktop app. Its administrator must add ${options.appOrigin} to CORS_ORIGINS.`,
      };
    }
    return { ok: true, url: base };
  }
  if (ping.status >= 500 && isTrpcError(ping.body)) {
    return {
      ok: false,
      problem: "unhealthy",
      message: `${base} is a Parley server but reports an error (${ping.status}): its database may be down. Try again later or ask its administrator.`,
    };
  }
  return {
    ok: false,
    problem: "not-parley",
    message: `${base} answers /healthz but not Parley's API (/trpc/health.ping gave ${describe(ping)}). Is this the right address?`,
  };
}

type FetchOutcome =
  | {
      ok: true;
      status: number;
      body: unknown;
      contentType: string;
      allowOrigin: string | null;
      location: string | null;
    }
  | { ok: false; problem: "unreachable" | "timeout"; detail: string };

async function getJson(
  doFetch: typeof fetch,
  url: string,
  timeoutMs: number,
  origin?: string,
): Promise<FetchOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  const headers: Record<string, string> = { accept: "application/json" };
  if (origin) headers.origin = origin;
  try {
    // Redirects are not followed: the address saved must be the one that answers.
    const res = await doFetch(url, { signal, redirect: "manual", headers });
    const text = await readLimited(res);
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return {
      ok: true,
      status: res.status,
      body,
      contentType: res.headers.get("content-type") ?? "",
      allowOrigin: res.headers.get("access-control-allow-origin"),
      location: res.headers.get("location"),
    };
  } catch (error) {
    if (signal.aborted)
      return { ok: false, problem: "timeout", detail: `no answer within ${timeoutMs / 1000} s` };
    return { ok: false, problem: "unreachable", detail: networkErrorDetail(error) };
  }
}

async function readLimited(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel();
      return "";
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function failure(base: string, outcome: Extract<FetchOutcome, { ok: false }>): ServerCheck {
  if (outcome.problem === "timeout") {
    return {
      ok: false,
      problem: "timeout",
      message: `${base} did not answer (${outcome.detail}). Is the server running?`,
    };
  }
  return {
    ok: false,
    problem: "unreachable",
    message: `Could not reach ${base}: ${outcome.detail}. Is the server running and the address right?`,
  };
}

/** Node's fetch hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function networkErrorDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  if (code === "ECONNREFUSED") return "the connection was refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host name could not be resolved";
  if (code === "ECONNRESET") return "the connection was reset";
  if (code?.startsWith("ERR_TLS") || code?.includes("CERT")) return `a TLS error (${code})`;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function describe(outcome: Extract<FetchOutcome, { ok: true }>): string {
  const kind =
    outcome.body === null ? outcome.contentType.split(";")[0] || "an empty body" : "JSON";
  return `HTTP ${outcome.status} (${kind})`;
}

/** tRPC with superjson answers `{result:{data:{json:{ok:true}}}}`; without, `{result:{data:{ok:true}}}`. */
function pingSucceeded(body: unknown): boolean {
  if (!isRecord(body) || !isRecord(body.result) || !isRecord(body.result.data)) return false;
  const data = body.result.data;
  const value = isRecord(data.json) ? data.json : data;
  return value.ok === true;
}

function corsAllows(allowOrigin: string | null, appOrigin: string): boolean {
  return allowOrigin === "*" || allowOrigin === appOrigin;
}

function isTrpcError(body: unknown): boolean {
  return isRecord(body) && isRecord(body.error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

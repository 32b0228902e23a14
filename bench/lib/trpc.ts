/**
 * Raw tRPC over HTTP for load generators, which need a plain URL, method, headers and body
 * (the typed client is used where a real client's behaviour is the point: first token).
 * Wire format: superjson-wrapped input `{ json: ... }`, one procedure per request.
 */
export function queryUrl(baseUrl: string, procedure: string, input?: unknown): string {
  const query =
    input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  return `${baseUrl}/trpc/${procedure}${query}`;
}

export function mutationBody(input: unknown): string {
  return JSON.stringify({ json: input });
}

export class TrpcCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`tRPC call failed with HTTP ${status}: ${JSON.stringify(body).slice(0, 500)}`);
  }
}

/** One call; returns the procedure's result (superjson's `json` part). */
export async function trpcCall<T = unknown>(
  baseUrl: string,
  procedure: string,
  options: {
    type: "query" | "mutation";
    input?: unknown;
    token?: string;
    headers?: Record<string, string>;
  },
): Promise<T> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response =
    options.type === "query"
      ? await fetch(queryUrl(baseUrl, procedure, options.input), { headers })
      : await fetch(`${baseUrl}/trpc/${procedure}`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: mutationBody(options.input ?? null),
        });
  const body = (await response.json().catch(() => null)) as {
    result?: { data?: { json?: T } };
  } | null;
  if (!response.ok) throw new TrpcCallError(response.status, body);
  return body?.result?.data?.json as T;
}

/**
 * "Test connection": GET <base URL>/models as the OpenAI SDK would call it, with a bounded
 * time and body, and an answer an admin can act on.
 */
export type ProbeResult =
  | { ok: true; models: string[] }
  | {
      ok: false;
      /** unreachable: no connection or no answer in time; unauthorized: the key was
       * refused; incompatible: it answered, but not as an OpenAI-compatible API. */
      error: "unreachable" | "unauthorized" | "incompatible";
      message: string;
    };

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_MODELS = 500;

export async function probeEndpoint(
  baseUrl: string,
  apiKey: string | null,
  timeoutMs = 5_000,
): Promise<ProbeResult> {
  const url = `${baseUrl.replace(/\/+$/, "")}/models`;
  const seconds = Math.round(timeoutMs / 1000);
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json", ...(apiKey && { authorization: `Bearer ${apiKey}` }) },
      // A redirect to a login page is no API: reported, not followed.
      redirect: "manual",
      signal,
    });
  } catch (error) {
    return { ok: false, error: "unreachable", message: unreachable(error, url, seconds) };
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel().catch(() => {});
    return {
      ok: false,
      error: "unauthorized",
      message: `The endpoint refused the API key (HTTP ${response.status}). Check the key.`,
    };
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    return {
      ok: false,
      error: "incompatible",
      message: `GET ${url} answered HTTP ${response.status}: this is not an OpenAI-compatible API (the base URL usually ends in /v1).`,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(await readCapped(response, MAX_BODY_BYTES));
  } catch (error) {
    if (signal.aborted)
      return {
        ok: false,
        error: "unreachable",
        message: `No answer from ${url} within ${seconds} s.`,
      };
    return {
      ok: false,
      error: "incompatible",
      message: `GET ${url} did not answer with an OpenAI model list (${(error as Error).message}).`,
    };
  }
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data))
    return {
      ok: false,
      error: "incompatible",
      message: `GET ${url} answered JSON without a "data" list of models: this is not an OpenAI-compatible API.`,
    };
  const models = data
    .map((m) => (m as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === "string" && id.length > 0)
    .slice(0, MAX_MODELS);
  return { ok: true, models };
}

function unreachable(error: unknown, url: string, seconds: number): string {
  const name = (error as Error | null)?.name;
  if (name === "TimeoutError" || name === "AbortError")
    return `No answer from ${url} within ${seconds} s.`;
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const why = cause?.code ?? cause?.message ?? (error as Error | null)?.message ?? "unknown error";
  return `Could not connect to ${url} (${why}). Is the server running, and is the URL right?`;
}

/** The body as text, refusing more than `max` bytes (a model list is small). */
async function readCapped(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new Error(`the answer is larger than ${max / 1024 / 1024} MB`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

import { createParser, type EventSourceMessage } from "eventsource-parser";
import OpenAI from "openai";
import { Readable } from "node:stream";
import { Agent, errors as undiciErrors, request } from "undici";

/**
 * A streamed chat completion, requested with undici and parsed with eventsource-parser
 * instead of through the `openai` SDK: on the path between the model's first token and the
 * user's, the SDK's fetch and its web streams cost 2–3 ms per request here (measured beside
 * this in one process, sequential requests to the model fixture), and both chat and /v1
 * promise to add almost nothing to the model's own time to first token. Failures are the
 * SDK's error classes, so everything that explains them (describeModelError,
 * fromProviderError) treats both paths alike. The SDK keeps the cold calls: models, titles,
 * completions without streaming.
 */

/** One connection pool for every streamed completion of the process. */
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 512 });

export interface CompletionStreamOptions {
  signal: AbortSignal;
  /** Until the provider's response headers; the caller watches the gaps between chunks. */
  timeoutMs?: number;
}

/**
 * Sends `body` (a chat completion request with `stream: true`) to the client's provider.
 * Resolves once the provider has answered with a stream, rejects with an OpenAI.APIError
 * subclass when it refuses; the chunks then arrive in order, and a stream that breaks off
 * or reports an error throws from the iteration.
 */
export async function openCompletionStream(
  client: OpenAI,
  body: Record<string, unknown>,
  options: CompletionStreamOptions,
): Promise<AsyncIterable<OpenAI.ChatCompletionChunk>> {
  const url = `${client.baseURL.replace(/\/+$/, "")}/chat/completions`;
  const payload = Buffer.from(JSON.stringify(body));
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method: "POST",
      dispatcher,
      signal: options.signal,
      headersTimeout: options.timeoutMs,
      // The callers time the gaps between chunks themselves, with their own messages.
      bodyTimeout: 0,
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${client.apiKey}`,
        "content-length": String(payload.byteLength),
      },
      // Handed over once rather than as bytes: undici keeps a request's body until the
      // response ends, and this one is the whole prompt, held as long as the reply streams.
      body: Readable.from(once(payload), { objectMode: false }),
    });
  } catch (error) {
    throw asSdkError(error, options.signal);
  }
  if (response.statusCode >= 300) {
    const text = await response.body.text().catch(() => "");
    // As the SDK reads a refusal: the JSON body (whose `error` it unwraps), else the text.
    const json = parseJson(text) as object | undefined;
    throw OpenAI.APIError.generate(
      response.statusCode,
      json,
      json ? undefined : text || undefined,
      toHeaders(response.headers),
    );
  }
  return chunksOf(response.body, options.signal);
}

async function* chunksOf(
  body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown },
  signal: AbortSignal,
): AsyncGenerator<OpenAI.ChatCompletionChunk> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const decoder = new TextDecoder();
  let done = false;
  let drained = false;
  try {
    for await (const bytes of body) {
      parser.feed(decoder.decode(bytes, { stream: true }));
      while (events.length && !done) {
        const event = events.shift()!;
        // Read on to the end of the body after [DONE], so the connection is reused.
        if (event.data === "[DONE]") done = true;
        else yield parseChunk(event);
      }
    }
    drained = true;
  } catch (error) {
    if (signal.aborted) throw new OpenAI.APIUserAbortError();
    // A break mid-reply stays what it is: describeModelError keeps the text so far.
    throw error;
  } finally {
    // Left early (the caller stopped reading, or a failure): not reused half-read.
    if (!drained) body.destroy();
  }
}

/** An iterable that yields `bytes` once and then lets go of them (a generator would keep
 * its argument until it is collected itself). */
function once(bytes: Buffer): Iterable<Buffer> {
  let pending: Buffer | null = bytes;
  return {
    [Symbol.iterator]: () => ({
      next: (): IteratorResult<Buffer> => {
        const value = pending;
        pending = null;
        return value ? { value, done: false } : { value: undefined, done: true };
      },
    }),
  };
}

function parseChunk(event: EventSourceMessage): OpenAI.ChatCompletionChunk {
  const data = parseJson(event.data) as
    (OpenAI.ChatCompletionChunk & { error?: unknown }) | undefined;
  // As the SDK does: an error event in the stream is the provider's failure.
  if (data === undefined || data.error || event.event === "error")
    throw new OpenAI.APIError(undefined, data?.error ?? data ?? event.data, undefined, undefined);
  return data;
}

/** undici's failures as the SDK's, so callers recognise a timeout, an abort or no route. */
function asSdkError(error: unknown, signal: AbortSignal): unknown {
  if (error instanceof OpenAI.APIError) return error;
  if (signal.aborted) return new OpenAI.APIUserAbortError();
  if (error instanceof undiciErrors.HeadersTimeoutError)
    return new OpenAI.APIConnectionTimeoutError();
  if (error instanceof undiciErrors.UndiciError || isSystemError(error))
    return new OpenAI.APIConnectionError({ cause: error as Error });
  return error;
}

function isSystemError(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === "string";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

import {
  authorizeOpenAICaller,
  checkOpenAICompletionCaller,
  createOpenAICompletion,
  createRequestContext,
  getOpenAIModel,
  listOpenAIModels,
  OPENAI_HISTORY_HEADER,
  OpenAIError,
  OpenAIKeyOwners,
  parseOpenAIHistoryTarget,
  prepareOpenAICompletion,
  startOpenAICompletionStream,
  toOpenAIError,
  type AppDeps,
  type ChatCompletionChunkOut,
  type RequestMeta,
  type V1Caller,
  type V1Observer,
} from "@parley/api";
import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { noteRequestUser, requestIdOf, type Logger } from "./logging";
import { requestMetaOf } from "./route-caller";

/** A /v1 body: a long conversation with a few base64 images. */
export const OPENAI_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

export interface OpenAIRouteOptions {
  logger: Logger;
  /** The caller's address and whether the request came over HTTPS, as app.ts decides them. */
  clientIp: (c: Context) => string;
  secure: (c: Context) => boolean;
  /** Told each request's outcome and each stream's first token (metrics). */
  observer?: V1Observer;
}

type Endpoint = Parameters<V1Observer["onRequest"]>[0]["endpoint"];

/**
 * The OpenAI-compatible API: GET /v1/models[/:id] and POST /v1/chat/completions, for
 * personal API keys. Every /v1 path answers OpenAI's JSON error body, never the web app.
 */
export function mountOpenAIRoutes(app: Hono, deps: AppDeps, options: OpenAIRouteOptions): void {
  const { logger } = options;
  const report = (endpoint: Endpoint, startedAt: number, status: number, stream: boolean) => {
    try {
      options.observer?.onRequest({
        endpoint,
        status,
        stream,
        durationMs: performance.now() - startedAt,
      });
    } catch {
      // Metrics are best effort.
    }
  };
  /** Reports every answer but a stream's, which reports itself when it ends. */
  const observed =
    (endpoint: Endpoint, handler: (c: Context, startedAt: number) => Promise<Response>) =>
    async (c: Context) => {
      const startedAt = performance.now();
      const response = await handler(c, startedAt);
      if (!streaming.has(response)) report(endpoint, startedAt, response.status, false);
      return response;
    };
  const streaming = new WeakSet<Response>();

  const fail = (c: Context, error: unknown) => {
    const requestId = requestIdOf(c);
    const refusal = toOpenAIError(error, requestId);
    if (refusal.status >= 500 && !(error instanceof OpenAIError))
      logger.error({ reqId: requestId, err: error }, "/v1 request failed");
    if (refusal.retryAfterSeconds !== undefined)
      c.header("Retry-After", String(refusal.retryAfterSeconds));
    return c.json(refusal.body, refusal.status as 400);
  };

  const requestMeta = (c: Context): RequestMeta =>
    requestMetaOf(c, { ip: options.clientIp(c), secure: options.secure(c) });
  const owners = new OpenAIKeyOwners();
  const callerOf = async (c: Context, req = requestMeta(c)): Promise<V1Caller> => {
    const authorization = c.req.header("authorization");
    try {
      const { user } = await createRequestContext(deps, req);
      noteRequestUser(c, user?.id);
      const caller = { user: authorizeOpenAICaller(user, authorization), req };
      if (authorization) owners.remember(authorization, caller.user);
      return caller;
    } catch (error) {
      owners.forget(authorization);
      throw error;
    }
  };

  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: OPENAI_BODY_LIMIT_BYTES,
      onError: (c) => {
        c.header("Connection", "close");
        return c.json(
          new OpenAIError(
            413,
            `Request body too large (at most ${OPENAI_BODY_LIMIT_BYTES / 1024 / 1024} MiB)`,
            "invalid_request_error",
            "request_too_large",
          ).body,
          413,
        );
      },
    }),
  );

  app.get(
    "/v1/models",
    observed("models", async (c) => {
      try {
        await callerOf(c);
        return c.json(await listOpenAIModels(deps));
      } catch (error) {
        return fail(c, error);
      }
    }),
  );

  app.get(
    "/v1/models/:model{.+}",
    observed("models", async (c) => {
      try {
        await callerOf(c);
        return c.json(await getOpenAIModel(deps, c.req.param("model") ?? ""));
      } catch (error) {
        return fail(c, error);
      }
    }),
  );

  app.post(
    "/v1/chat/completions",
    observed("chat.completions", async (c, startedAt) => {
      try {
        // The key lookup, the body and, for a key seen before, the per-user checks (rate
        // limit, quota) side by side: each is a round trip before the model is called.
        const req = requestMeta(c);
        const authenticating = callerOf(c, req);
        const owner = owners.owner(c.req.header("authorization"));
        const checks = owner
          ? checkOpenAICompletionCaller(
              deps,
              req,
              owner,
              authenticating.then(
                (caller) => caller.user.quotaOverride,
                () => null, // refused anyway: the 401 is what the caller gets
              ),
            )
          : null;
        checks?.catch(() => {}); // awaited below, after the 401 and 400 answers it yields to
        const reading = c.req.json().then(
          (body: unknown) => ({ body }),
          () => null,
        );
        const caller = await authenticating;
        const read = await reading;
        if (!read)
          throw new OpenAIError(
            400,
            "We could not parse the JSON body of your request. Send JSON with Content-Type: application/json.",
            "invalid_request_error",
          );
        const history = parseOpenAIHistoryTarget(c.req.header(OPENAI_HISTORY_HEADER));
        const prepared = await prepareOpenAICompletion(deps, caller, read.body, {
          history,
          checks: owner === caller.user.id ? checks : null,
        });
        // The conversation the exchange went into, so the next call can continue it.
        const extra: Record<string, string> = prepared.stored
          ? { "X-Parley-Conversation": prepared.stored.conversationId }
          : {};
        const signal = c.req.raw.signal;
        if (!prepared.input.stream) {
          const reply = await createOpenAICompletion(deps, prepared, signal);
          return c.json(reply, 200, extra);
        }
        const chunks = await startOpenAICompletionStream(deps, prepared, signal);
        const model = prepared.input.model;
        const response = sse(chunks, logger, requestIdOf(c), extra, {
          onFirstToken: () =>
            options.observer?.onFirstToken({
              model,
              timeToFirstTokenMs: performance.now() - startedAt,
            }),
          onEnd: () => report("chat.completions", startedAt, 200, true),
        });
        streaming.add(response);
        return response;
      } catch (error) {
        return fail(c, error);
      }
    }),
  );

  // Anything else under /v1 is OpenAI's 404, so a client never parses the web app's HTML.
  const unknown = (c: Context) =>
    c.json(
      new OpenAIError(
        404,
        `Unknown request URL: ${c.req.method} ${new URL(c.req.url).pathname}. Parley serves GET /v1/models and POST /v1/chat/completions.`,
        "invalid_request_error",
        "unknown_url",
      ).body,
      404,
    );
  app.all(
    "/v1",
    observed("unknown", async (c) => unknown(c)),
  );
  app.all(
    "/v1/*",
    observed("unknown", async (c) => unknown(c)),
  );
}

/** The chunks as server-sent events, ending with `data: [DONE]`; a failure mid-stream is an
 * `error` event, which OpenAI's SDKs raise as an APIError. */
function sse(
  chunks: AsyncIterable<ChatCompletionChunkOut>,
  logger: Logger,
  requestId: string,
  extraHeaders: Record<string, string>,
  hooks: { onFirstToken(): void; onEnd(): void },
): Response {
  let firstTokenSeen = false;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    try {
      hooks.onEnd();
    } catch {
      // Metrics are best effort.
    }
  };
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  const event = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
          end();
        } else {
          if (!firstTokenSeen && next.value.choices.some((ch) => ch.delta.content)) {
            firstTokenSeen = true;
            try {
              hooks.onFirstToken();
            } catch {
              // Metrics are best effort.
            }
          }
          controller.enqueue(event(next.value));
        }
      } catch (error) {
        const refusal = toOpenAIError(error, requestId);
        if (!(error instanceof OpenAIError))
          logger.error({ reqId: requestId, err: error }, "/v1 stream failed");
        controller.enqueue(event(refusal.body));
        controller.close();
        end();
      }
    },
    async cancel() {
      // The caller went away: stop reading the provider (its request is aborted too).
      await iterator.return?.();
      end();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      // nginx would otherwise buffer the stream and the first token would arrive last.
      "X-Accel-Buffering": "no",
      ...extraHeaders,
    },
  });
}

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { numberedWords, parseMarker, stripMarkers, toChunks, type FixtureScript } from "./script";

/**
 * A small OpenAI-compatible server for tests and benchmarks: POST /v1/chat/completions
 * (streaming and not), GET /v1/models, and admin endpoints to script replies and read the
 * call log. It is a test fixture; the product never uses it unless configured to.
 */

export interface ChatMessageIn {
  role: string;
  content: string;
}

export interface FixtureCall {
  model: string;
  stream: boolean;
  messages: ChatMessageIn[];
  /** The messages exactly as sent, content parts (images) included. */
  rawMessages: Array<{ role: string; content: unknown }>;
  /** The script the request ran. */
  script: FixtureScript;
  /** Sampling options as sent (absent ones left out). */
  options: Partial<Record<(typeof forwardedOptions)[number], unknown>>;
  receivedAt: Date;
}

export interface ModelFixtureOptions {
  port?: number;
  host?: string;
  /** Models listed by GET /v1/models; any model name is accepted by completions. */
  models?: string[];
  /** Applied to every request under a queued script or marker. */
  defaults?: FixtureScript;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (else 401). */
  apiKey?: string;
}

export interface ModelFixture {
  /** Base URL for the OpenAI SDK, ending in /v1. */
  baseUrl: string;
  port: number;
  /** Chat completion requests received, oldest first (the last 10,000). */
  readonly calls: FixtureCall[];
  /** Queues a script for the next request without a marker. */
  enqueue(...scripts: FixtureScript[]): void;
  /** Forgets calls and queued scripts. */
  reset(): void;
  close(): Promise<void>;
}

const maxBodyBytes = 10 * 1024 * 1024;
/** Request fields recorded in each call, so tests can check what a client forwarded. */
const forwardedOptions = ["temperature", "top_p", "max_tokens", "stop", "stream_options"] as const;
const maxLoggedCalls = 10_000;

export async function startModelFixture(options: ModelFixtureOptions = {}): Promise<ModelFixture> {
  const models = options.models ?? ["fixture-small", "fixture-large"];
  const calls: FixtureCall[] = [];
  const queue: FixtureScript[] = [];
  const openResponses = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    openResponses.add(res);
    res.on("close", () => openResponses.delete(res));
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(String(error), "server_error"));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fixture");
    if (options.apiKey && url.pathname.startsWith("/v1/")) {
      if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
        return sendJson(res, 401, errorBody("Incorrect API key provided", "invalid_api_key"));
      }
    }
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return sendJson(res, 200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "fixture" })),
      });
    }
    if (req.method === "POST" && url.pathname === "/v1/chat/completions") {
      return completions(req, res, (await readJson(req)) as CompletionRequest);
    }
    if (req.method === "POST" && url.pathname === "/admin/script") {
      const body = (await readJson(req)) as FixtureScript | FixtureScript[];
      queue.push(...(Array.isArray(body) ? body : [body]));
      return sendJson(res, 200, { queued: queue.length });
    }
    if (req.method === "GET" && url.pathname === "/admin/calls") {
      return sendJson(res, 200, { calls });
    }
    if (req.method === "POST" && url.pathname === "/admin/reset") {
      reset();
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, errorBody(`No route ${req.method} ${url.pathname}`, "not_found"));
  }

  async function completions(req: IncomingMessage, res: ServerResponse, body: CompletionRequest) {
    if (!body || !Array.isArray(body.messages) || typeof body.model !== "string") {
      return sendJson(
        res,
        400,
        errorBody("model and messages are required", "invalid_request_error"),
      );
    }
    const messages = body.messages.map((m) => ({
      role: String(m.role),
      content: textOf(m.content),
    }));
    const lastUser = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
    let marker: FixtureScript | null;
    try {
      marker = parseMarker(lastUser);
    } catch (error) {
      return sendJson(res, 400, errorBody((error as Error).message, "invalid_request_error"));
    }
    const script: FixtureScript = { ...options.defaults, ...(marker ?? queue.shift() ?? {}) };
    const stream = body.stream === true;
    calls.push({
      model: body.model,
      stream,
      messages,
      rawMessages: body.messages,
      script,
      options: Object.fromEntries(
        forwardedOptions.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]),
      ),
      receivedAt: new Date(),
    });
    // A long benchmark run must not grow the log without bound.
    if (calls.length > maxLoggedCalls) calls.splice(0, calls.length - maxLoggedCalls);

    const aborted = abortedBy(req, res);
    const reply =
      script.reply ??
      (script.words !== undefined
        ? numberedWords(script.words)
        : `Echo: ${stripMarkers(lastUser)}`);
    // Like a real model, a reply cut at max_tokens (a chunk counted as a token) ends "length".
    const allChunks = toChunks(reply);
    const maxTokens = typeof body.max_tokens === "number" ? body.max_tokens : Infinity;
    const chunks = allChunks.slice(0, maxTokens);
    const finishReason = chunks.length < allChunks.length ? "length" : "stop";
    const usage = {
      prompt_tokens: estimateTokens(messages.map((m) => m.content).join(" ")),
      completion_tokens: chunks.length,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

    if (script.fail === "hang") return; // never answers; the client's timeout or abort ends it
    if (!(await sleep(script.ttftMs ?? 0, aborted))) return;
    if (script.fail === "500")
      return sendJson(res, 500, errorBody("The server had an error", "server_error"));
    if (script.fail === "429") {
      res.setHeader("retry-after", "1");
      return sendJson(
        res,
        429,
        errorBody("Rate limit reached for requests", "rate_limit_exceeded"),
      );
    }
    if (script.fail === "401")
      return sendJson(res, 401, errorBody("Incorrect API key provided", "invalid_api_key"));

    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!stream) {
      return sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: chunks.join("") },
            finish_reason: finishReason,
          },
        ],
        ...(script.usage === "none" ? {} : { usage }),
      });
    }

    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
    const chunk = (delta: Record<string, string>, finish: string | null) =>
      send({
        id,
        object: "chat.completion.chunk",
        created,
        model: body.model,
        choices: [{ index: 0, delta, finish_reason: finish }],
      });

    const failAt = script.failAfterChunks ?? Math.floor(chunks.length / 2);
    chunk({ role: "assistant", content: "" }, null);
    for (const [i, text] of chunks.entries()) {
      if ((script.fail === "mid" || script.fail === "hang-mid") && i === failAt) {
        // Let the chunks already written reach the client before the connection drops.
        if (script.fail === "mid") res.write(": dropping\n\n", () => res.destroy());
        return; // hang-mid: stays silent until the client aborts
      }
      if (i > 0 && !(await sleep(script.chunkDelayMs ?? 0, aborted))) return;
      if (aborted.signal.aborted) return;
      chunk({ content: text }, null);
    }
    chunk({}, finishReason);
    if (body.stream_options?.include_usage && script.usage !== "none") {
      send({ id, object: "chat.completion.chunk", created, model: body.model, choices: [], usage });
    }
    res.end("data: [DONE]\n\n");
  }

  function reset() {
    calls.length = 0;
    queue.length = 0;
  }

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    calls,
    enqueue: (...scripts) => queue.push(...scripts),
    reset,
    async close() {
      for (const res of openResponses) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface CompletionRequest {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string | string[];
}

/** Content may be a string or an array of parts ({ type: "text", text }). */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join("");
  }
  return "";
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function errorBody(message: string, code: string) {
  return { error: { message, type: code, param: null, code } };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > maxBodyBytes) throw new Error("request body too large");
    parts.push(part as Buffer);
  }
  const text = Buffer.concat(parts).toString("utf8");
  return text ? JSON.parse(text) : {};
}

/** Aborts when the client goes away, so timers of abandoned requests stop. */
function abortedBy(req: IncomingMessage, res: ServerResponse): AbortController {
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  req.on("error", () => controller.abort());
  return controller;
}

/** Resolves true after `ms`, or false as soon as the request is aborted. */
function sleep(ms: number, aborted: AbortController): Promise<boolean> {
  if (aborted.signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      aborted.signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    aborted.signal.addEventListener("abort", onAbort, { once: true });
  });
}

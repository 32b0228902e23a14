import { randomUUID } from "node:crypto";
import { signUp, TRPCClientError, type ParleyClient, type SignedIn } from "@parley/client";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import { eventually } from "@parley/testing";
import { startTestServer, type TestServer } from "./ops-helpers";

export { eventually };
export { codeOf } from "./ops-helpers";

export interface ChatServer {
  fixture: ModelFixture;
  server: TestServer;
  /** A user signed up on the server. */
  user: SignedIn;
  /** Stops the server, then the model fixture. */
  stop(): Promise<void>;
}

/**
 * A real server whose model provider is the model fixture (with a send limit that never gets
 * in the way and a short model timeout), and one user signed up on it as `username`.
 */
export async function startChatServer(
  username: string,
  vars: Record<string, string> = {},
): Promise<ChatServer> {
  const fixture = await startModelFixture();
  let server: TestServer | undefined;
  try {
    server = await startTestServer({
      OPENAI_BASE_URL: fixture.baseUrl,
      OPENAI_API_KEY: "fixture-key",
      AI_MODELS: "fixture-small,fixture-large",
      AI_DEFAULT_MODEL: "fixture-small",
      CHAT_SENDS_PER_MINUTE: "1000",
      CHAT_CONVERSATIONS_PER_MINUTE: "1000",
      AI_TIMEOUT_MS: "2000",
      ...vars,
    });
    const user = await signUp(server.base, { username });
    const started = server;
    return {
      fixture,
      server,
      user,
      async stop() {
        await started.stop();
        await fixture.close();
      },
    };
  } catch (error) {
    await server?.stop();
    await fixture.close();
    throw error;
  }
}

type StreamEvent =
  | { delta: string }
  | {
      status: string;
      usage: { promptTokens: number; completionTokens: number } | null;
      model: string | null;
      error: string | null;
    };

export interface StreamResult {
  text: string;
  deltas: string[];
  final: Extract<StreamEvent, { status: string }> | null;
  lastEventId: string | null;
  /** The tRPC error code when the subscription failed. */
  errorCode: string | null;
}

/**
 * Subscribes to `chat.stream` over SSE until the final event, an error, or `stopAfterDeltas`
 * deltas (then it unsubscribes: the client goes away mid-stream).
 */
export function readStream(
  client: ParleyClient,
  input: { messageId: string; lastEventId?: string | null },
  options: { stopAfterDeltas?: number } = {},
): Promise<StreamResult> {
  return new Promise((resolve) => {
    const result: StreamResult = {
      text: "",
      deltas: [],
      final: null,
      lastEventId: null,
      errorCode: null,
    };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      // Deferred: the subscription object may not exist yet when the first event is synchronous.
      setImmediate(() => subscription.unsubscribe());
      resolve(result);
    };
    const subscription = client.chat.stream.subscribe(input, {
      onData(event) {
        if (done) return;
        const { id, data } = event as unknown as { id: string; data: StreamEvent };
        result.lastEventId = id;
        if ("delta" in data) {
          result.deltas.push(data.delta);
          result.text += data.delta;
          if (
            options.stopAfterDeltas !== undefined &&
            result.deltas.length >= options.stopAfterDeltas
          )
            finish();
        } else {
          result.final = data;
          finish();
        }
      },
      onError(error) {
        result.errorCode =
          error instanceof TRPCClientError
            ? ((error.data as { code?: string } | undefined)?.code ?? "ERROR")
            : "ERROR";
        finish();
      },
      onComplete: finish,
    });
  });
}

export const newClientId = () => randomUUID();

/** The stored reply once it has ended (any status but streaming). */
export function finishedReply(client: ParleyClient, conversationId: string, messageId: string) {
  return eventually(async () => {
    const page = await client.chat.messages.list.query({ conversationId });
    const reply = page.items.find((m) => m.id === messageId);
    return reply && reply.status !== "streaming" ? reply : undefined;
  });
}

/** Waits until the conversation's last message is a complete reply: a stream can end a
 * moment before the finished reply is saved. */
export function lastReplyComplete(client: ParleyClient, conversationId: string) {
  return eventually(async () => {
    const page = await client.chat.messages.list.query({ conversationId });
    return page.items.at(-1)?.status === "complete" ? true : undefined;
  }, 50);
}

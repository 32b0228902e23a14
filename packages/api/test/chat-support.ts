import { randomUUID } from "node:crypto";
import { users } from "@parley/db";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import { createTestDatabase, type TestDatabase } from "@parley/testing";
import { isTrackedEnvelope } from "@trpc/server";
import { createChatRuntime, type ChatSettings, type ReplyEvent } from "../src";
import { createAuthTestContext, type AuthTestContext, type Registered } from "./support";

export interface ChatTestContext extends AuthTestContext {
  fixture: ModelFixture;
  /** A caller signed in as `user`. */
  as(user: Registered): Promise<Awaited<ReturnType<AuthTestContext["caller"]>>["api"]>;
}

/**
 * Procedure-test deps with chat: the auth test context (real database, Redis when
 * REDIS_URL is set) plus a chat runtime talking to a model fixture over real HTTP.
 */
export async function createChatTestContext(
  options: {
    settings?: Partial<ChatSettings>;
    provider?: boolean;
    redis?: boolean;
    quotaTokensPerDay?: number;
    /** The chat runtime's log (its errors); silent when not given. */
    log?: (message: string) => void;
  } = {},
): Promise<ChatTestContext> {
  const ctx = await createAuthTestContext({
    redis: options.redis,
    quotaTokensPerDay: options.quotaTokensPerDay,
  });
  const fixture = await startModelFixture();
  ctx.deps.chat = createChatRuntime({
    db: ctx.deps.db,
    redis: ctx.deps.redis,
    keyPrefix: `test:chat:${randomUUID()}:`,
    keyRing: ctx.deps.keyRing,
    ai:
      options.provider === false
        ? { models: [] }
        : {
            baseUrl: fixture.baseUrl,
            apiKey: "fixture-key",
            models: ["fixture-small", "fixture-large"],
            defaultModel: "fixture-small",
          },
    // As the server wires it: the observer is read from the deps at each generation.
    observer: () => ctx.deps.generationObserver,
    usage: () => ctx.deps.usage,
    ...(options.log ? { log: options.log } : {}),
    settings: {
      // Tests call sweeper.sweep() themselves; the periodic pass must not race them.
      sweepIntervalMs: 60_000,
      saveIntervalMs: 50,
      streamCheckMs: 500,
      stopWaitMs: 1_000,
      modelTimeoutMs: 5_000,
      sendsPerMinute: 1_000,
      conversationsPerMinute: 1_000,
      ...options.settings,
    },
  });
  ctx.deps.chat.start();
  return {
    ...ctx,
    fixture,
    as: async (user) => (await ctx.caller({ token: user.accessToken })).api,
    async cleanup() {
      await ctx.deps.chat?.close();
      await fixture.close();
      await ctx.cleanup();
    },
  };
}

/** What `t.as(user)` gives: the tRPC caller of one signed-in user. */
export type ChatCaller = Awaited<ReturnType<ChatTestContext["as"]>>;

export interface TwoChatUsers {
  t: ChatTestContext;
  alice: Registered;
  bob: Registered;
  asAlice: ChatCaller;
  asBob: ChatCaller;
}

/**
 * A chat test context with two signed-in users, `<prefix>_alice` (the owner) and
 * `<prefix>_bob` (the other user every ownership check refuses).
 */
export async function twoChatUsers(
  prefix: string,
  options?: Parameters<typeof createChatTestContext>[0],
): Promise<TwoChatUsers> {
  const t = await createChatTestContext(options);
  try {
    const alice = await t.register(`${prefix}_alice`);
    const bob = await t.register(`${prefix}_bob`);
    return { t, alice, bob, asAlice: await t.as(alice), asBob: await t.as(bob) };
  } catch (error) {
    await t.cleanup();
    throw error;
  }
}

export interface CollectedStream {
  /** Text of the delta events. */
  text: string;
  deltas: string[];
  final: Extract<ReplyEvent, { status: string }> | null;
  /** Id of the last event received. */
  lastEventId: string | null;
}

/**
 * Reads a `chat.stream` subscription until its final event, or until `stopAfterDeltas`
 * deltas arrived (then it disconnects, as a dropped client would).
 */
export async function collectStream(
  iterable: AsyncIterable<unknown>,
  options: { stopAfterDeltas?: number } = {},
): Promise<CollectedStream> {
  const result: CollectedStream = { text: "", deltas: [], final: null, lastEventId: null };
  for await (const envelope of iterable) {
    if (!isTrackedEnvelope(envelope)) throw new Error("chat.stream events must be tracked");
    const [id, data] = envelope as unknown as [string, ReplyEvent];
    result.lastEventId = id;
    if ("delta" in data) {
      result.deltas.push(data.delta);
      result.text += data.delta;
      if (options.stopAfterDeltas !== undefined && result.deltas.length >= options.stopAfterDeltas)
        break;
    } else {
      result.final = data;
      break;
    }
  }
  return result;
}

export { eventually } from "@parley/testing";

export const newClientId = () => randomUUID();

/** A test database with one user row in it (no session), for tests below the procedures. */
export async function createDatabaseWithUser(
  username: string,
): Promise<{ t: TestDatabase; userId: string }> {
  const t = await createTestDatabase();
  try {
    const user = await users.createUser(t.db, {
      username,
      email: `${username}@example.com`,
      passwordHash: "x",
    });
    return { t, userId: user.id };
  } catch (error) {
    await t.cleanup();
    throw error;
  }
}

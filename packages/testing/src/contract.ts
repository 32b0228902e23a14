import { randomBytes } from "node:crypto";
import { afterEach, describe } from "vitest";
import { waitFor } from "./processes";
import { missing, redisUrl } from "./services";
import { startTcpProxy } from "./tcp-proxy";

/**
 * One implementation of an interface that has an in-process and a Redis twin (rate limiter,
 * session cache, stream bus, ...), as the contract suite that both must pass sees it.
 */
export interface Implementation<T, A extends unknown[] = []> {
  name: string;
  /** Why it cannot run here (its service is not configured), or false. */
  skip: string | false;
  create(...args: A): Promise<T>;
  /** Ends what `create` made since the last cleanup and removes what it stored. */
  cleanup(): Promise<void>;
}

/**
 * The contract `suite` once per implementation (`<title> (<name>)`), each skipped with its
 * reason where its service is missing, every test cleaned up after: the embedded default
 * must behave like production.
 */
export function describeContract<T, A extends unknown[]>(
  title: string,
  implementations: Array<Implementation<T, A>>,
  suite: (impl: Implementation<T, A>) => void,
): void {
  for (const impl of implementations) {
    describe.skipIf(impl.skip)(`${title} (${impl.name})`, () => {
      afterEach(() => impl.cleanup());
      suite(impl);
    });
  }
}

/** The in-process twin: `create` makes one, `close` (when given) ends it at cleanup. */
export function inProcess<T, A extends unknown[] = []>(
  create: (...args: A) => T | Promise<T>,
  close?: (made: T) => unknown,
): Implementation<T, A> {
  const made: T[] = [];
  return {
    name: "in-process",
    skip: false,
    async create(...args) {
      const value = await create(...args);
      made.push(value);
      return value;
    },
    async cleanup() {
      for (const value of made.splice(0)) await close?.(value);
    },
  };
}

/** What these helpers need of a Redis client (ioredis's). */
export interface RedisClient {
  status: string;
  keys(pattern: string): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
  disconnect(): void;
}

export interface RedisScope<C> {
  /** A new client, ready, disconnected at cleanup: one per replica a test plays. */
  client(): Promise<C>;
  /** `test:<name>:<shared or random>:`, its keys deleted at cleanup. Twins built with the
   * same `shared` name are two replicas of one deployment. */
  prefix(shared?: string): string;
}

/**
 * The Redis twin, on REDIS_URL (skipped without it): `create` builds one from the clients and
 * key prefix it asks its scope for; cleanup closes what it made (`close`), deletes the keys
 * under every prefix it used, and disconnects its clients.
 */
export function onRedis<C extends RedisClient, T, A extends unknown[] = []>(options: {
  /** Names the key prefix: `test:<name>:`. */
  name: string;
  /** A client of REDIS_URL, once it is ready (createRedis, then waitForRedis). */
  connect: (url: string) => Promise<C>;
  create: (scope: RedisScope<C>, ...args: A) => T | Promise<T>;
  close?: (made: T) => unknown;
}): Implementation<T, A> {
  const clients: C[] = [];
  const prefixes = new Set<string>();
  const made: T[] = [];
  const scope: RedisScope<C> = {
    async client() {
      const client = await options.connect(redisUrl()!);
      clients.push(client);
      return client;
    },
    prefix(shared) {
      const prefix = `test:${options.name}:${shared ?? randomBytes(6).toString("hex")}:`;
      prefixes.add(prefix);
      return prefix;
    },
  };
  return {
    name: "redis",
    skip: missing("redis"),
    async create(...args) {
      const value = await options.create(scope, ...args);
      made.push(value);
      return value;
    },
    async cleanup() {
      // Closed first: a blocking read would hold the client the keys are deleted with.
      for (const value of made.splice(0)) await options.close?.(value);
      const [first] = clients;
      for (const prefix of first ? prefixes : []) {
        const keys = await first!.keys(`${prefix}*`);
        if (keys.length) await first!.del(...keys);
      }
      prefixes.clear();
      for (const client of clients.splice(0)) client.disconnect();
    },
  };
}

/** A Redis client whose link a test can cut, to play an outage of one replica's Redis. */
export interface CuttableRedis<C> {
  client: C;
  /** Cuts the link and waits until the client has noticed. */
  cut(): Promise<void>;
  /** Lets it reconnect. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A client of REDIS_URL through a loopback TCP proxy (see tcp-proxy.ts), ready. */
export async function redisBehindProxy<C extends RedisClient>(
  connect: (url: string) => Promise<C>,
): Promise<CuttableRedis<C>> {
  const target = new URL(redisUrl()!);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  let client: C;
  try {
    client = await connect(`redis://127.0.0.1:${proxy.port}`);
  } catch (error) {
    await proxy.close();
    throw error;
  }
  return {
    client,
    async cut() {
      await proxy.cut();
      await waitFor("the client to notice the outage", () => client.status !== "ready");
    },
    restore: () => proxy.restore(),
    async close() {
      client.disconnect();
      await proxy.close();
    },
  };
}

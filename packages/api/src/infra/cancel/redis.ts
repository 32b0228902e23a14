import type { Redis } from "ioredis";
import { defaultRememberMs, type CancelSignal, type CancelSignalOptions } from "./types";
import { createCancelWatchers } from "./watchers";

export interface RedisCancelSignalOptions extends CancelSignalOptions {
  keyPrefix?: string;
  /** How often watched ids are also checked by key, in case a published stop was missed
   * (the subscriber connection was down at that moment). */
  pollMs?: number;
}

/**
 * Stop requests across replicas: a key that remembers the request (so a generator that
 * starts watching later still sees it, and a poll catches a missed message) plus a publish
 * on one channel, so the generating replica hears it at once.
 */
export function createRedisCancelSignal(
  redis: Redis,
  options: RedisCancelSignalOptions = {},
): CancelSignal {
  const prefix = options.keyPrefix ?? "parley:";
  const rememberMs = options.rememberMs ?? defaultRememberMs;
  const pollMs = options.pollMs ?? 1_000;
  const channel = `${prefix}cancel`;
  const keyOf = (id: string) => `${prefix}cancel:${id}`;
  const watchers = createCancelWatchers();
  let subscriber: Redis | null = null;
  let poller: NodeJS.Timeout | null = null;

  const checkKeys = async (ids: string[]) => {
    if (!ids.length) return;
    try {
      const values = await redis.mget(...ids.map(keyOf));
      values.forEach((value, i) => value !== null && watchers.fire(ids[i]!));
    } catch {
      // Redis unreachable: the next poll tries again.
    }
  };

  const ensureListening = () => {
    if (subscriber) return;
    // Subscribed connections cannot run other commands, hence a dedicated one.
    subscriber = redis.duplicate({ enableOfflineQueue: true });
    subscriber.on("error", () => {});
    subscriber.on("message", (_channel: string, id: string) => watchers.fire(id));
    subscriber.subscribe(channel).catch(() => {});
    poller = setInterval(() => void checkKeys(watchers.ids()), pollMs);
    poller.unref();
  };

  return {
    async request(id) {
      await redis.multi().set(keyOf(id), "1", "PX", rememberMs).publish(channel, id).exec();
    },

    watch(id, onCancel) {
      ensureListening();
      const { unwatch } = watchers.add(id, onCancel);
      void checkKeys([id]);
      return unwatch;
    },

    async close() {
      if (poller) clearInterval(poller);
      watchers.clear();
      subscriber?.disconnect();
      subscriber = null;
    },
  };
}

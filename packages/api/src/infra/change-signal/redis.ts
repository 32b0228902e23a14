import type { Redis } from "ioredis";
import { createTopicListeners } from "./listeners";
import type { ChangeSignal } from "./types";

/** Several replicas: one pub/sub channel; the message is the topic. */
export function createRedisChangeSignal(
  redis: Redis,
  options: { keyPrefix?: string } = {},
): ChangeSignal {
  const channel = `${options.keyPrefix ?? "parley:"}changed`;
  const listeners = createTopicListeners();
  let subscriber: Redis | null = null;
  let subscribed: Promise<unknown> | null = null;

  const ensureListening = () => {
    if (subscriber) return;
    // A subscribed connection can run nothing else, hence a dedicated one.
    subscriber = redis.duplicate({ enableOfflineQueue: true });
    subscriber.on("error", () => {}); // the main client reports outages
    subscriber.on("message", (_channel: string, topic: string) => listeners.fire(topic));
    subscribed = subscriber.subscribe(channel).catch(() => {});
  };

  return {
    async notify(topic) {
      // This replica hears it at once, even when Redis cannot carry the message.
      listeners.fire(topic);
      await redis.publish(channel, topic).catch(() => {});
    },

    listen(topic, listener) {
      ensureListening();
      return listeners.add(topic, listener);
    },

    async close() {
      await subscribed;
      listeners.clear();
      subscriber?.disconnect();
      subscriber = null;
    },
  };
}

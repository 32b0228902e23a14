import { defaultRememberMs, type CancelSignal, type CancelSignalOptions } from "./types";
import { createCancelWatchers } from "./watchers";

/** The single-process twin of the Redis cancel signal. */
export function createMemoryCancelSignal(options: CancelSignalOptions = {}): CancelSignal {
  const rememberMs = options.rememberMs ?? defaultRememberMs;
  const requested = new Map<string, NodeJS.Timeout>();
  const watchers = createCancelWatchers();

  return {
    async request(id) {
      clearTimeout(requested.get(id));
      const timer = setTimeout(() => requested.delete(id), rememberMs);
      timer.unref();
      requested.set(id, timer);
      watchers.fire(id);
    },

    watch(id, onCancel) {
      const { fire, unwatch } = watchers.add(id, onCancel);
      if (requested.has(id)) queueMicrotask(fire);
      return unwatch;
    },

    async close() {
      for (const timer of requested.values()) clearTimeout(timer);
      requested.clear();
      watchers.clear();
    },
  };
}

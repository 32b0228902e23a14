import { defaultRememberMs, type CancelSignal, type CancelSignalOptions } from "./types";

/** The single-process twin of the Redis cancel signal. */
export function createMemoryCancelSignal(options: CancelSignalOptions = {}): CancelSignal {
  const rememberMs = options.rememberMs ?? defaultRememberMs;
  const requested = new Map<string, NodeJS.Timeout>();
  const watchers = new Map<string, Set<() => void>>();

  return {
    async request(id) {
      clearTimeout(requested.get(id));
      const timer = setTimeout(() => requested.delete(id), rememberMs);
      timer.unref();
      requested.set(id, timer);
      for (const fire of [...(watchers.get(id) ?? [])]) fire();
    },

    watch(id, onCancel) {
      let done = false;
      const fire = () => {
        if (done) return;
        unwatch();
        onCancel();
      };
      const unwatch = () => {
        done = true;
        watchers.get(id)?.delete(fire);
        if (!watchers.get(id)?.size) watchers.delete(id);
      };
      if (!watchers.has(id)) watchers.set(id, new Set());
      watchers.get(id)!.add(fire);
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

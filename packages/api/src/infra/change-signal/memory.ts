import { createTopicListeners } from "./listeners";
import type { ChangeSignal } from "./types";

/** One process: a change reaches this process's listeners directly. */
export function createMemoryChangeSignal(): ChangeSignal {
  const listeners = createTopicListeners();
  return {
    async notify(topic) {
      listeners.fire(topic);
    },
    listen: (topic, listener) => listeners.add(topic, listener),
    async close() {
      listeners.clear();
    },
  };
}

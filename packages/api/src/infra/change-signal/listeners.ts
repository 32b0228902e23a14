/** Listeners by topic, shared by both implementations. */
export function createTopicListeners() {
  const byTopic = new Map<string, Set<() => void>>();
  return {
    add(topic: string, listener: () => void) {
      const set = byTopic.get(topic) ?? new Set();
      set.add(listener);
      byTopic.set(topic, set);
      return () => {
        set.delete(listener);
        if (!set.size) byTopic.delete(topic);
      };
    },
    fire(topic: string) {
      for (const listener of byTopic.get(topic) ?? []) listener();
    },
    clear: () => byTopic.clear(),
  };
}

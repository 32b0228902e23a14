/**
 * The callbacks waiting for a stop, by id, shared by both cancel signals. Each callback runs
 * at most once and then forgets itself, whether it is fired or unwatched first.
 */
export function createCancelWatchers() {
  const byId = new Map<string, Set<() => void>>();
  return {
    /** Registers `onCancel` for `id`; `fire` runs it (once), `unwatch` drops it. */
    add(id: string, onCancel: () => void): { fire: () => void; unwatch: () => void } {
      let done = false;
      const fire = () => {
        if (done) return;
        unwatch();
        onCancel();
      };
      const unwatch = () => {
        done = true;
        byId.get(id)?.delete(fire);
        if (!byId.get(id)?.size) byId.delete(id);
      };
      if (!byId.has(id)) byId.set(id, new Set());
      byId.get(id)!.add(fire);
      return { fire, unwatch };
    },
    /** Runs every callback waiting for `id`. */
    fire(id: string) {
      for (const fire of [...(byId.get(id) ?? [])]) fire();
    },
    /** The ids someone is waiting for. */
    ids(): string[] {
      return [...byId.keys()];
    },
    clear() {
      byId.clear();
    },
  };
}

/** The part of the Web Storage API the store uses; tests pass an in-memory one. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function memoryStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

/** Reads a JSON value, tolerating anything a previous version or a person left there. */
export function readJson<T>(
  storage: KeyValueStorage,
  key: string,
  isValid: (v: unknown) => v is T,
): T | undefined {
  try {
    const raw = storage.getItem(key);
    if (raw === null) return undefined;
    const value: unknown = JSON.parse(raw);
    return isValid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function writeJson(storage: KeyValueStorage, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // Quota exceeded or storage disabled (private mode): persistence is best effort.
  }
}

/** Browser storage when there is one (the web and Electron renderers), memory otherwise. */
export function browserStorage(kind: "local" | "session"): KeyValueStorage {
  try {
    const storage = kind === "local" ? globalThis.localStorage : globalThis.sessionStorage;
    if (storage) return storage;
  } catch {
    // Accessing storage can throw when cookies are blocked.
  }
  return memoryStorage();
}

/**
 * "Something instance-wide changed" (the model providers), told to every replica so each
 * drops what it cached of it. Carries no data: listeners reload from the database. A
 * message can be lost (Redis down), so whoever caches also bounds how long an entry lives.
 */
export interface ChangeSignal {
  /** Tells every replica, this one included, that `topic` changed. Never throws. */
  notify(topic: string): Promise<void>;
  /** Calls `listener` whenever `topic` changes. Returns an unsubscribe. */
  listen(topic: string, listener: () => void): () => void;
  close(): Promise<void>;
}

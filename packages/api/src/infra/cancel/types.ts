/**
 * Stop requests for running generations. A stop can arrive at any replica while the reply is
 * generated on another; `request` reaches every replica, and a request made before the
 * generator started watching still counts (it is remembered for `rememberMs`).
 */
export interface CancelSignal {
  /** Asks whoever generates `id` to stop. */
  request(id: string): Promise<void>;
  /** Calls `onCancel` once when `id` is, or already was, asked to stop. Returns an unwatch. */
  watch(id: string, onCancel: () => void): () => void;
  close(): Promise<void>;
}

export interface CancelSignalOptions {
  /** How long a stop request is remembered, for a generator that starts watching late. */
  rememberMs?: number;
}

export const defaultRememberMs = 10 * 60_000;

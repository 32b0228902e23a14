/** How a reply ended. */
export type FinalStatus = "complete" | "stopped" | "error" | "interrupted";

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/**
 * One entry of a reply's stream. Deltas carry their character offset in the full reply, so
 * a reader can skip what it already has and notice what it missed (a capped stream drops
 * its oldest entries).
 */
export type StreamEntry =
  | { kind: "delta"; text: string; offset: number }
  | {
      kind: "final";
      status: FinalStatus;
      /** Length of the final reply text, so a reader can tell whether it has all of it. */
      length: number;
      usage: TokenUsage | null;
      model: string | null;
      error: string | null;
    };

export interface StreamEvent {
  /** Increases within a stream; pass it back as `afterId` to read what follows. */
  id: string;
  entry: StreamEntry;
}

export interface ReadOptions {
  /** When nothing follows `afterId` yet, wait this long for an entry (0: answer at once). */
  waitMs?: number;
  /** Stops waiting early (the subscriber went away); the read then returns []. */
  signal?: AbortSignal;
  /** Most entries returned by one read. */
  count?: number;
}

/**
 * The generation stream bus: the generating replica appends a reply's chunks; any replica
 * reads them from any point, so a subscriber can resume after a dropped connection or on
 * another replica. Streams are capped and expire; the database holds the lasting copy.
 */
export interface StreamBus {
  /** Appends an entry and returns its id. Keeps the stream alive for its active lifetime. */
  append(streamId: string, entry: StreamEntry): Promise<string>;
  /** Entries after `afterId` (from the start when null), oldest first; [] when none came
   * within `waitMs`, or the read was aborted. */
  read(streamId: string, afterId: string | null, options?: ReadOptions): Promise<StreamEvent[]>;
  /** Lets a finished stream live `ttlMs` more, for late readers, then drops it. */
  expire(streamId: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface StreamBusOptions {
  /** Most entries kept per stream; older ones are dropped (readers fill gaps from the database). */
  maxLength?: number;
  /** How long a stream lives after its last append, if nobody expires it sooner. */
  activeTtlMs?: number;
}

export const defaultStreamBusOptions = { maxLength: 10_000, activeTtlMs: 60 * 60_000 } as const;

/** Orders ids of the form "<ms>-<seq>" (Redis) or "<n>-0" (in-process). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0] = b.split("-").map(Number);
  return aMs !== bMs ? aMs - bMs : aSeq - bSeq;
}

import type { FinalStatus, TokenUsage } from "../../infra/stream-bus";

/** A generation as the metrics see it: bounded labels only (model, status), never text. */
export interface GenerationInfo {
  messageId: string;
  model: string;
}

export interface GenerationOutcome extends GenerationInfo {
  status: FinalStatus;
  /** From the start of the generation to its end. */
  durationMs: number;
  /** From the start of the generation to the first text, or null when none came. */
  timeToFirstTokenMs: number | null;
  usage: TokenUsage | null;
  /** Short reason for an error outcome ("rate_limited", "timeout", ...), else null. */
  errorKind: string | null;
}

/**
 * Told how generations go, so the server can export metrics (time to first token,
 * outcomes, durations, token usage). Implementations must not throw and must be quick.
 */
export interface GenerationObserver {
  onStart?(info: GenerationInfo): void;
  onFirstToken?(info: GenerationInfo & { timeToFirstTokenMs: number }): void;
  onFinish?(outcome: GenerationOutcome): void;
}

/** Calls an observer hook, keeping a faulty observer from breaking a generation. */
export function notify<K extends keyof GenerationObserver>(
  observer: GenerationObserver | undefined,
  hook: K,
  arg: Parameters<NonNullable<GenerationObserver[K]>>[0],
) {
  try {
    (observer?.[hook] as ((a: typeof arg) => void) | undefined)?.(arg);
  } catch {
    // Metrics are best effort.
  }
}

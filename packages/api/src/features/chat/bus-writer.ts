import type { StreamBus, StreamEntry } from "../../infra/stream-bus";

/**
 * Appends a reply's text to the stream bus in order, one append at a time. Text arriving
 * while an append is in flight is merged into the next one, so a fast model costs fewer
 * entries without delaying the first chunk. A failed append (Redis down) is retried: its
 * text goes back in front of what is pending, so order and offsets stay right.
 */
export class BusWriter {
  private pending = "";
  /** Characters already on the bus. */
  private written = 0;
  private inflight: Promise<void> | null = null;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly bus: StreamBus,
    private readonly streamId: string,
  ) {}

  push(text: string) {
    if (!text) return;
    this.pending += text;
    this.inflight ??= this.drain();
  }

  /** Waits until pending text is on the bus, or `timeoutMs` passed (the bus is down). */
  async flush(timeoutMs = 2_000) {
    const deadline = Date.now() + timeoutMs;
    while (this.inflight && Date.now() < deadline) {
      await Promise.race([
        this.inflight,
        new Promise((resolve) => setTimeout(resolve, deadline - Date.now())),
      ]);
    }
  }

  /** Appends the final entry (after the text). False when the bus could not take it. */
  async finish(entry: Extract<StreamEntry, { kind: "final" }>): Promise<boolean> {
    await this.flush();
    try {
      await this.bus.append(this.streamId, entry);
      return true;
    } catch {
      return false;
    }
  }

  /** Gives up on text the bus never took (the reply's lasting copy is in the database). */
  close() {
    this.closed = true;
    this.pending = "";
  }

  private async drain() {
    while (this.pending && !this.closed) {
      const text = this.pending;
      this.pending = "";
      try {
        await this.bus.append(this.streamId, { kind: "delta", text, offset: this.written });
        this.written += text.length;
        this.failures = 0;
      } catch {
        this.pending = text + this.pending;
        this.failures++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.failures * 100, 1_000)));
      }
    }
    this.inflight = null;
  }
}

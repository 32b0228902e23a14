import { chat, type Database } from "@parley/db";

/** One reply being generated, as its generator sees the saver. */
export interface ReplyProgress {
  /** The reply's text so far; written with the next flush. */
  update(text: string): void;
  /** Stops saving this reply and waits for a flush in flight, before the final write. */
  stop(): Promise<void>;
}

interface Tracked {
  userId: string;
  text: string;
  dirty: boolean;
  savedAt: number;
  onLost: () => void;
}

/**
 * Keeps the database copy of every reply this process generates: each flush interval, one
 * statement writes the partial text of every reply that changed and renews the lease of
 * every reply whose lease is a third gone (a quiet model still holds its lease). A reply the
 * statement no longer finds `streaming` was finalized elsewhere (a forced stop, the sweep,
 * a deletion): `onLost` tells its generator to give up.
 */
export class ProgressSaver {
  private readonly replies = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly timing: { leaseMs: number; saveIntervalMs: number },
    private readonly log: (message: string) => void,
  ) {}

  track(messageId: string, userId: string, onLost: () => void): ReplyProgress {
    const entry: Tracked = { userId, text: "", dirty: false, savedAt: Date.now(), onLost };
    this.replies.set(messageId, entry);
    this.timer ??= setInterval(() => void this.flush(), this.tickMs());
    return {
      update: (text) => {
        entry.text = text;
        entry.dirty = true;
      },
      stop: async () => {
        if (this.replies.get(messageId) === entry) this.replies.delete(messageId);
        if (!this.replies.size && this.timer) {
          clearInterval(this.timer);
          this.timer = null;
        }
        await this.flushing;
      },
    };
  }

  /** Writes what is due now, in one statement; a flush already running is not doubled. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private tickMs() {
    return Math.max(20, Math.min(this.timing.saveIntervalMs, Math.floor(this.timing.leaseMs / 3)));
  }

  private async write() {
    const now = Date.now();
    const renewAfter = this.timing.leaseMs / 3;
    const due = [...this.replies].filter(([, r]) => r.dirty || now - r.savedAt >= renewAfter);
    if (!due.length) return;
    for (const [, r] of due) {
      r.dirty = false;
      r.savedAt = now;
    }
    try {
      const streaming = await chat.saveRepliesProgress(
        this.db,
        due.map(([id, r]) => ({ id, userId: r.userId, content: r.text })),
        new Date(now + this.timing.leaseMs),
      );
      for (const [id, r] of due) {
        if (!streaming.has(id) && this.replies.get(id) === r) r.onLost();
      }
    } catch (error) {
      for (const [, r] of due) r.dirty = true;
      this.log(`saving ${due.length} replies' progress failed: ${String(error)}`);
    }
  }
}

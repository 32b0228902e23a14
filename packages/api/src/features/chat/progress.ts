import { chat, type Database } from "@parley/db";

/**
 * Keeps the database copy of a reply being generated: its partial text at most every
 * `saveIntervalMs`, one write at a time, and its lease, renewed by each save and by a timer
 * while the model is quiet. A write that matches nothing means the reply was finalized
 * elsewhere (a forced stop, the sweep, a deletion): `onLost` tells the generator to give up.
 */
export class ReplyProgress {
  private text = "";
  private saving: Promise<void> | null = null;
  private lastSaveAt = Date.now();
  private readonly leaseTimer: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    private readonly messageId: string,
    private readonly timing: { leaseMs: number; saveIntervalMs: number },
    private readonly onLost: () => void,
    private readonly log: (message: string) => void,
  ) {
    const renewEvery = Math.max(50, Math.floor(timing.leaseMs / 3));
    this.leaseTimer = setInterval(() => {
      if (Date.now() - this.lastSaveAt >= renewEvery) this.save();
    }, renewEvery);
  }

  /** The reply's text so far; saved when the last save is old enough. */
  update(text: string) {
    this.text = text;
    if (Date.now() - this.lastSaveAt >= this.timing.saveIntervalMs) this.save();
  }

  /** Stops renewing and waits for a save in flight, before the final write. */
  async stop() {
    clearInterval(this.leaseTimer);
    await this.saving;
  }

  private save() {
    if (this.saving) return;
    this.lastSaveAt = Date.now();
    const leaseExpiresAt = new Date(Date.now() + this.timing.leaseMs);
    this.saving = chat
      .saveReplyProgress(this.db, this.messageId, this.text, leaseExpiresAt)
      .then((stillStreaming) => {
        if (!stillStreaming) this.onLost();
      })
      .catch((error: unknown) =>
        this.log(`saving reply ${this.messageId} failed: ${String(error)}`),
      )
      .finally(() => (this.saving = null));
  }
}

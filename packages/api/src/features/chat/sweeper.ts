import { chat, type Database } from "@parley/db";
import type { StreamBus } from "../../infra/stream-bus";
import { interruptedMessage } from "./generation";
import { fallbackTitle } from "./title";
import { notify, type GenerationObserver } from "./observer";
import { recoverReplyText } from "./recover";
import type { ChatSettings } from "./settings";

/**
 * Runs on every replica: finds replies still `streaming` whose generator stopped renewing
 * its lease (its process was killed or lost the database) and stores them `interrupted`,
 * with the most text the database and the stream bus still have. The write is conditional,
 * so when several replicas sweep at once exactly one of them finalizes each reply.
 */
export class LeaseSweeper {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly deps: {
      db: Database;
      bus: StreamBus;
      settings: ChatSettings;
      observer: () => GenerationObserver | undefined;
      /** Told after a reply was stored interrupted (or a title set), so read routing and
       * caches follow; read at each call. */
      historyWritten?: () => ((userId: string) => Promise<void>) | undefined;
      log: (message: string) => void;
    },
  ) {}

  /** Sweeps now (replies left by a previous run of this replica), then every interval. */
  start() {
    if (this.timer) return;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.deps.settings.sweepIntervalMs);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** An interrupted first reply leaves its conversation named after the question. */
  private async titleFromQuestion(reply: {
    userId: string;
    conversationId: string;
    parentId: string | null;
  }) {
    const question = reply.parentId
      ? await chat.findMessage(this.deps.db, reply.userId, reply.parentId).catch(() => null)
      : null;
    if (!question) return;
    await chat
      .setTitleIfUnchanged(this.deps.db, {
        userId: reply.userId,
        conversationId: reply.conversationId,
        title: fallbackTitle(question.content),
      })
      .catch(() => false);
    // The caller announces the write once the title is set too.
  }

  /** One pass; resolves with how many replies it marked interrupted. */
  sweep(now = new Date()): Promise<number> {
    this.sweeping ??= this.sweepOnce(now)
      .catch((error: unknown) => {
        this.deps.log(`lease sweep failed: ${String(error)}`);
        return 0;
      })
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(now: Date): Promise<number> {
    const { db, bus, settings } = this.deps;
    let marked = 0;
    for (const reply of await chat.findLapsedReplies(db, now, 100)) {
      const content = await recoverReplyText(bus, reply.id, reply.content);
      const stored = await chat.finishReply(
        db,
        { userId: reply.userId, messageId: reply.id },
        { status: "interrupted", content, error: interruptedMessage },
        now,
      );
      if (!stored) continue; // another replica got there first, or the generator came back
      marked++;
      if (reply.depth === 1 && reply.parentId) await this.titleFromQuestion(reply);
      await this.deps
        .historyWritten?.()?.(reply.userId)
        .catch((error: Error) =>
          this.deps.log(`announcing a swept reply failed: ${error.message}`),
        );
      await bus
        .append(reply.id, {
          kind: "final",
          status: "interrupted",
          length: content.length,
          usage: null,
          model: reply.model,
          error: interruptedMessage,
        })
        .catch(() => {});
      await bus.expire(reply.id, settings.finishedStreamTtlMs).catch(() => {});
      notify(this.deps.observer(), "onFinish", {
        messageId: reply.id,
        model: reply.model ?? "unknown",
        status: "interrupted",
        durationMs: now.getTime() - reply.createdAt.getTime(),
        timeToFirstTokenMs: null,
        usage: null,
        errorKind: null,
      });
    }
    if (marked)
      this.deps.log(`marked ${marked} abandoned repl${marked === 1 ? "y" : "ies"} interrupted`);
    return marked;
  }
}

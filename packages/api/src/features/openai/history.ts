import { randomUUID } from "node:crypto";
import { chat } from "@parley/db";
import type { AppDeps } from "../../core/context";
import type { OpenAIDeps } from "./deps";
import { historyWritten } from "../../core/procedures";
import { invalidRequest } from "./errors";
import type { RequestMessage } from "./schemas";

type ChatRuntime = NonNullable<AppDeps["chat"]>;

/** `X-Parley-Conversation`: store the exchange in a new conversation, or in one of the
 * caller's own (by id). Absent: nothing is stored, as with OpenAI. */
export const HISTORY_HEADER = "x-parley-conversation";

export type HistoryTarget = { kind: "new" } | { kind: "existing"; id: string };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseHistoryTarget(value: string | null | undefined): HistoryTarget | null {
  const v = value?.trim();
  if (!v) return null;
  if (v.toLowerCase() === "new") return { kind: "new" };
  if (uuid.test(v)) return { kind: "existing", id: v.toLowerCase() };
  throw invalidRequest(
    "X-Parley-Conversation must be `new` or the id of one of your conversations",
    "X-Parley-Conversation",
  );
}

/** The last user message as the conversation shows it: its text, an image as a note. */
function questionText(messages: readonly RequestMessage[]): string {
  const last = [...messages].reverse().find((m) => m.role === "user");
  if (!last || last.role !== "user") return "";
  if (typeof last.content === "string") return last.content;
  return last.content
    .map((part) => (part.type === "text" ? part.text : "[image]"))
    .join("\n")
    .trim();
}

/** A new conversation's title: the question's first line, cut at a word. */
function titleFrom(text: string): string {
  const line =
    text
      .split("\n")
      .find((l) => l.trim())
      ?.trim() ?? "";
  if (line.length <= 60) return line || chat.DEFAULT_TITLE;
  const cut = line.slice(0, 60);
  const space = cut.lastIndexOf(" ");
  return `${space > 30 ? cut.slice(0, space) : cut}…`;
}

/**
 * The stored exchange of one /v1 call: the question is written (with a reply placeholder
 * that is `streaming`) before the model is called, the reply's text is saved as it
 * arrives (which also renews its lease, so the sweeper leaves it alone), and it ends with
 * an honest status: complete, error, or stopped when the caller went away.
 */
export class StoredExchange {
  private lastSave = 0;
  private saving: Promise<unknown> = Promise.resolve();
  private finished = false;
  /** Keeps the lease while the model thinks without sending (a long non-streamed answer). */
  private readonly renewer: NodeJS.Timeout;

  private constructor(
    private readonly deps: OpenAIDeps,
    private readonly runtime: ChatRuntime,
    private readonly userId: string,
    readonly conversationId: string,
    readonly replyId: string,
  ) {
    const { leaseMs } = runtime.settings;
    this.renewer = setInterval(() => {
      chat
        .renewReplyLease(deps.db, { userId, messageId: replyId }, new Date(Date.now() + leaseMs))
        .catch(() => undefined);
    }, leaseMs / 3);
    this.renewer.unref();
  }

  private get reply(): chat.ReplyRef {
    return { userId: this.userId, messageId: this.replyId };
  }

  /** Writes the question; another user's conversation is NOT_FOUND, as a missing one. */
  static async begin(
    deps: OpenAIDeps,
    runtime: ChatRuntime,
    args: {
      userId: string;
      target: HistoryTarget;
      model: string;
      messages: readonly RequestMessage[];
    },
  ): Promise<StoredExchange> {
    const content = questionText(args.messages);
    const exchange = await chat.createExchange(deps.db, {
      userId: args.userId,
      conversation:
        args.target.kind === "new"
          ? { create: { title: titleFrom(content), model: args.model } }
          : { id: args.target.id },
      content,
      clientMessageId: `v1-${randomUUID()}`,
      parent: "tip",
      model: args.model,
      leaseExpiresAt: new Date(Date.now() + runtime.settings.leaseMs),
    });
    await historyWritten(deps, args.userId);
    return new StoredExchange(
      deps,
      runtime,
      args.userId,
      exchange.conversation.id,
      exchange.assistantMessage.id,
    );
  }

  /** The reply so far; saved at most every saveIntervalMs. */
  progress(text: string): void {
    const now = Date.now();
    if (this.finished || now - this.lastSave < this.runtime.settings.saveIntervalMs) return;
    this.lastSave = now;
    const leaseExpiresAt = new Date(now + this.runtime.settings.leaseMs);
    this.saving = this.saving
      .then(() => chat.saveReplyProgress(this.deps.db, this.reply, text, leaseExpiresAt))
      .catch(() => undefined);
  }

  async finish(outcome: chat.ReplyOutcome): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.renewer);
    await this.saving;
    await chat.finishReply(this.deps.db, this.reply, outcome);
    await historyWritten(this.deps, this.userId);
  }
}

import { chat, type Database } from "@parley/db";
import { countPromptTokens, countTextTokens } from "../../core/tokenizer";
import type { KeyRing } from "../../core/crypto";
import type { FilesRuntime } from "../../core/files";
import type { UsageMeter } from "../../core/usage-meter";
import type { CancelSignal } from "../../infra/cancel";
import type { FinalStatus, StreamBus, TokenUsage } from "../../infra/stream-bus";
import { BusWriter } from "./bus-writer";
import { notify, type GenerationObserver } from "./observer";
import { ProgressSaver } from "./progress";
import { buildPrompt, type PromptAttachments, type PromptStart } from "./prompt";
import { describeModelError, ModelError, type ChatTurn } from "./provider";
import type { ModelProvider } from "./registry";
import type { ChatSettings } from "./settings";
import { fallbackTitle, generateTitle } from "./title";

export interface GenerationJob {
  /** The owner of the conversation, whose usage and quota the reply counts against. */
  userId: string;
  messageId: string;
  conversationId: string;
  model: string;
  temperature: number | null;
  systemPrompt: string | null;
  /** Depth of the reply; the prompt is the active branch above it. */
  replyDepth: number;
  /** Set for a conversation's first reply: its automatic title is made from this text. */
  titleFrom: string | null;
  /** The prompt's first page, when the sender already held it (see chat.send). */
  promptStart?: PromptStart;
  /** "Continue": the stopped reply's text, which this one starts with and goes on from. */
  continueFrom?: string;
}

/** Asked after a cut-off reply so the model goes on from it instead of starting over. */
export const CONTINUE_INSTRUCTION =
  "Continue your previous message from exactly where it stopped. Do not repeat any of it.";

export interface GenerationManagerDeps {
  db: Database;
  bus: StreamBus;
  cancel: CancelSignal;
  provider: ModelProvider;
  settings: ChatSettings;
  observer: () => GenerationObserver | undefined;
  /** Where each reply's tokens are recorded; read at each generation. */
  usage: () => UsageMeter | undefined;
  /** Told after a generation changed a user's history (a reply stored final, a title set),
   * so read routing and caches follow; read at each call. */
  historyWritten: () => ((userId: string) => Promise<void>) | undefined;
  /** Where attached files are read for the prompt; read at each generation. */
  attachments?: () => { files: FilesRuntime; keyRing: KeyRing } | undefined;
  log: (message: string) => void;
}

/** A reply's tokens as metered and stored with it. */
type CountedUsage = TokenUsage & { estimated: boolean };

/** Why a generation ended before the model finished. */
type EndReason =
  | "stopped" // a user asked
  | "shutdown" // this replica is going away
  | "lost" // the reply was finalized elsewhere (swept, force-stopped) or deleted
  | "timeout"; // the model went quiet

export const interruptedMessage =
  "The server writing this reply stopped before it finished. The text so far is kept; you can regenerate it.";

/**
 * Runs generations in this process, independent of any HTTP request or subscriber: each
 * streams the model's reply to the stream bus and, throttled, to the database, renews its
 * lease while alive, and ends with a final state (complete, stopped, error, interrupted).
 */
export class GenerationManager {
  private readonly running = new Map<
    string,
    { done: Promise<void>; end: (reason: EndReason) => void }
  >();
  private readonly shutdownController = new AbortController();
  private accepting = true;
  /** Shared by every generation of this process: one progress write per flush interval. */
  private readonly progress: ProgressSaver;

  constructor(private readonly deps: GenerationManagerDeps) {
    this.progress = new ProgressSaver(deps.db, deps.settings, deps.log);
  }

  /** False once shutdown began: new work should go to another replica. */
  get isAccepting() {
    return this.accepting;
  }

  get size() {
    return this.running.size;
  }

  /** Starts a generation in the background; its outcome is written, never thrown. */
  start(job: GenerationJob): void {
    let end: (reason: EndReason) => void = () => {};
    const done = this.run(job, (fn) => (end = fn))
      .catch((error: unknown) =>
        this.deps.log(`generation ${job.messageId} failed: ${String(error)}`),
      )
      .finally(() => this.running.delete(job.messageId));
    this.running.set(job.messageId, { done, end: (reason) => end(reason) });
  }

  /** Resolves when the generation of `messageId` in this process (if any) has ended. */
  async settled(messageId: string): Promise<void> {
    await this.running.get(messageId)?.done;
  }

  /**
   * Lets running generations finish for up to `graceMs`, then cuts the rest off: they are
   * stored `interrupted` with their text, honestly, instead of being left to the sweep.
   */
  async shutdown(graceMs = this.deps.settings.shutdownGraceMs): Promise<void> {
    this.accepting = false;
    const all = () => Promise.all([...this.running.values()].map((g) => g.done));
    await Promise.race([all(), sleep(graceMs)]);
    this.shutdownController.abort();
    for (const generation of this.running.values()) generation.end("shutdown");
    // Storing their ends takes a few writes; the process's own exit deadline is near.
    await Promise.race([all(), sleep(1_500)]);
  }

  private async run(job: GenerationJob, exposeEnd: (end: (reason: EndReason) => void) => void) {
    const { db, bus, cancel, provider, settings } = this.deps;
    const observer = this.deps.observer();
    const id = job.messageId;
    const startedAt = performance.now();
    const abort = new AbortController();
    let endReason: EndReason | null = null;
    const end = (reason: EndReason) => {
      endReason ??= reason;
      abort.abort();
    };
    exposeEnd(end);
    if (this.shutdownController.signal.aborted) end("shutdown");

    const prefix = job.continueFrom ?? "";
    let text = prefix;
    let usage: TokenUsage | null = null;
    let firstTokenMs: number | null = null;
    const writer = new BusWriter(bus, id);
    const progress = this.progress.track(id, job.userId, () => end("lost"));
    const watchdog = setTimeout(() => end("timeout"), settings.modelTimeoutMs);
    const unwatch = cancel.watch(id, () => end("stopped"));

    notify(observer, "onStart", { messageId: id, model: job.model });
    let status: FinalStatus = "complete";
    let error: ModelError | null = null;
    /** What the model was sent, once it was called: the tokens to count. */
    let prompt: ChatTurn[] | null = null;
    // Held only until the prompt is built: a long reply should not keep the history page.
    const promptStart = job.promptStart;
    delete job.promptStart;
    try {
      const messages = await buildPrompt(db, {
        userId: job.userId,
        conversationId: job.conversationId,
        replyDepth: job.replyDepth,
        systemPrompt: job.systemPrompt,
        tokenBudget: settings.promptTokenBudget,
        attachments: withOwner(this.deps.attachments?.(), job.userId),
        ...(promptStart ? { start: promptStart } : {}),
      }).catch((cause: unknown) => {
        this.deps.log(`building the prompt of reply ${id} failed: ${String(cause)}`);
        throw new ModelError(
          "internal",
          "Parley could not read the conversation to answer it. Try again shortly.",
        );
      });
      if (prefix) {
        // The stopped text opens this reply (subscribers see it first) and the model is
        // asked to go on from it.
        messages.push(
          { role: "assistant", content: prefix },
          { role: "user", content: CONTINUE_INSTRUCTION },
        );
        writer.push(prefix);
        progress.update(text);
      }
      let finished = false;
      if (!abort.signal.aborted) {
        prompt = messages;
        const stream = provider.stream({
          model: job.model,
          messages,
          temperature: job.temperature,
          signal: abort.signal,
        });
        for await (const chunk of stream) {
          // Restarts the same timer: no new timer and callback for every chunk.
          watchdog.refresh();
          if (chunk.usage) usage = chunk.usage;
          if (chunk.delta) {
            if (firstTokenMs === null) {
              firstTokenMs = performance.now() - startedAt;
              notify(observer, "onFirstToken", {
                messageId: id,
                model: job.model,
                timeToFirstTokenMs: firstTokenMs,
              });
            }
            text += chunk.delta;
            writer.push(chunk.delta);
            progress.update(text);
          }
          if (abort.signal.aborted) break;
        }
        finished = !abort.signal.aborted;
      }
      if (!finished) throw new Error("generation ended early");
    } catch (cause) {
      ({ status, error } = this.outcomeOf(endReason, cause, job.model, text));
    } finally {
      clearTimeout(watchdog);
      unwatch();
    }

    await progress.stop();
    // Counted before the final event, so a client that saw the reply end sees its usage too.
    // Only what this generation wrote counts: a continued reply's opening was counted before.
    const written = text.slice(prefix.length);
    const counted =
      prompt && (usage || written) ? await this.recordUsage(job, prompt, written, usage) : null;
    // A first reply that did not complete still names its conversation, from the question,
    // before the final event so a client refetching on it sees the title.
    if (status !== "complete" && job.titleFrom !== null)
      await this.fallbackTitle(job, job.titleFrom);
    if (endReason !== "lost")
      await this.finalize(job, writer, { status, text, usage, counted, error });
    writer.close();
    notify(observer, "onFinish", {
      messageId: id,
      model: job.model,
      status,
      durationMs: performance.now() - startedAt,
      timeToFirstTokenMs: firstTokenMs,
      usage,
      errorKind: status === "error" ? (error?.kind ?? "unknown") : null,
    });
    if (status === "complete" && job.titleFrom !== null) await this.title(job, job.titleFrom);
  }

  private outcomeOf(endReason: EndReason | null, cause: unknown, model: string, text: string) {
    switch (endReason) {
      case "stopped":
        return { status: "stopped" as const, error: null };
      case "shutdown":
      case "lost":
        return { status: "interrupted" as const, error: null };
      default: {
        const error = describeModelError(cause, {
          model,
          timedOut: endReason === "timeout",
          receivedText: text.length > 0,
          timeoutMs: this.deps.settings.modelTimeoutMs,
        });
        return { status: "error" as const, error };
      }
    }
  }

  /** The database first (the lasting copy), then the bus's final entry for subscribers. */
  private async finalize(
    job: GenerationJob,
    writer: BusWriter,
    outcome: {
      status: FinalStatus;
      text: string;
      usage: TokenUsage | null;
      /** What was metered: the provider's figures, or Parley's count when it sent none. */
      counted: CountedUsage | null;
      error: ModelError | null;
    },
  ) {
    const { db, bus, settings } = this.deps;
    const errorText =
      outcome.status === "interrupted" ? interruptedMessage : (outcome.error?.message ?? null);
    let stored = false;
    try {
      stored = await chat.finishReply(
        db,
        { userId: job.userId, messageId: job.messageId },
        {
          status: outcome.status,
          content: outcome.text,
          error: errorText,
          model: job.model,
          promptTokens: outcome.counted?.promptTokens ?? null,
          completionTokens: outcome.counted?.completionTokens ?? null,
          usageEstimated: outcome.counted?.estimated ?? false,
        },
      );
    } catch (error) {
      // The lease runs out and the sweep stores the text from the bus as interrupted.
      this.deps.log(`storing the end of reply ${job.messageId} failed: ${String(error)}`);
    }
    if (!stored) return;
    await this.deps.historyWritten()?.(job.userId);
    await writer.finish({
      kind: "final",
      status: outcome.status,
      length: outcome.text.length,
      usage: outcome.usage,
      model: job.model,
      error: errorText,
    });
    await bus.expire(job.messageId, settings.finishedStreamTtlMs).catch(() => {});
  }

  /** The provider's figures when it sent them, else Parley's tokenizer's, marked estimated
   * (a stopped or broken stream never gets the provider's usage chunk). */
  private async recordUsage(
    job: GenerationJob,
    prompt: ChatTurn[],
    text: string,
    usage: TokenUsage | null,
  ): Promise<CountedUsage> {
    const counted: CountedUsage = {
      promptTokens: usage?.promptTokens ?? countPromptTokens(prompt),
      completionTokens: usage?.completionTokens ?? countTextTokens(text),
      estimated: usage === null,
    };
    await this.deps.usage()?.record({
      userId: job.userId,
      source: "chat",
      model: job.model,
      ...counted,
      messageId: job.messageId,
    });
    return counted;
  }

  private titled(job: GenerationJob) {
    return { userId: job.userId, conversationId: job.conversationId };
  }

  private async fallbackTitle(job: GenerationJob, userText: string) {
    try {
      const title = fallbackTitle(userText);
      if (await chat.setTitleIfUnchanged(this.deps.db, { ...this.titled(job), title }))
        await this.deps.historyWritten()?.(job.userId);
    } catch (error) {
      this.deps.log(`titling conversation ${job.conversationId} failed: ${String(error)}`);
    }
  }

  private async title(job: GenerationJob, userText: string) {
    const signal = AbortSignal.any([this.shutdownController.signal, AbortSignal.timeout(15_000)]);
    try {
      const title = await generateTitle(this.deps.provider, { model: job.model, userText, signal });
      // Replaces the default title, or the stand-in from an earlier failed first reply.
      const replaced =
        (await chat.setTitleIfUnchanged(this.deps.db, { ...this.titled(job), title })) ||
        (await chat.setTitleIfUnchanged(this.deps.db, {
          ...this.titled(job),
          title,
          expected: fallbackTitle(userText),
        }));
      if (replaced) await this.deps.historyWritten()?.(job.userId);
    } catch (error) {
      this.deps.log(`titling conversation ${job.conversationId} failed: ${String(error)}`);
    }
  }
}

function sleep(ms: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
}

function withOwner(
  source: { files: FilesRuntime; keyRing: KeyRing } | undefined,
  userId: string,
): PromptAttachments | undefined {
  return source && { ...source, userId };
}

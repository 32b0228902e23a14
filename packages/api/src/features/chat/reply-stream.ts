import { chat, type Database } from "@parley/db";
import { tracked, type TrackedEnvelope } from "@trpc/server";
import type { FinalStatus, StreamBus, TokenUsage } from "../../infra/stream-bus";
import type { ChatSettings } from "./settings";

/** What a `chat.stream` subscriber receives: text, then one final event. */
export type ReplyEvent =
  | { delta: string }
  | { status: FinalStatus; usage: TokenUsage | null; model: string | null; error: string | null };

/**
 * Where a subscriber is in a reply: how many characters it has (the truth) and, as a
 * shortcut, the bus entry it read last. Event ids carry both: "<offset>" or
 * "<offset>:<entry id>", so a resume on any replica, even after the bus forgot the
 * stream, continues at exactly the right character.
 */
export interface ReplyPosition {
  offset: number;
  cursor: string | null;
}

const eventIdPattern = /^(\d{1,9})(?::(\d{1,20}-\d{1,20}))?$/;

export function parseEventId(id: string | null | undefined): ReplyPosition | null {
  if (id === null || id === undefined || id === "") return { offset: 0, cursor: null };
  const match = eventIdPattern.exec(id);
  if (!match) return null;
  return { offset: Number(match[1]), cursor: match[2] ?? null };
}

function eventId(position: ReplyPosition): string {
  return position.cursor ? `${position.offset}:${position.cursor}` : String(position.offset);
}

type ReplyState = NonNullable<Awaited<ReturnType<typeof chat.replyState>>>;

/**
 * The reply's events from `start` on, with no gap and no duplicate: from the bus while the
 * reply is generated (anywhere), from the database once it has ended or when the bus cannot
 * serve (expired, capped, unreachable). Ends after the final event, or when `signal` aborts.
 */
export async function* replyEvents(
  deps: { db: Database; bus: StreamBus; settings: ChatSettings },
  reply: chat.ReplyRef,
  start: ReplyPosition,
  signal: AbortSignal | undefined,
): AsyncGenerator<TrackedEnvelope<ReplyEvent>> {
  const { db, bus, settings } = deps;
  const { messageId } = reply;
  const position = { ...start };
  let state = await chat.replyState(db, reply);
  if (!state) return;
  if (state.status !== "streaming") return yield* fromDatabase(state, position);

  while (!signal?.aborted) {
    let events;
    try {
      events = await bus.read(messageId, position.cursor, {
        waitMs: settings.streamCheckMs,
        signal,
      });
    } catch {
      return yield* followDatabase(deps, reply, position, signal);
    }
    if (signal?.aborted) return;
    if (!events.length) {
      // Quiet for a while: the reply may have ended without a final entry reaching the bus.
      state = await chat.replyState(db, reply);
      if (!state) return;
      if (state.status !== "streaming") return yield* fromDatabase(state, position);
      continue;
    }
    for (const { id, entry } of events) {
      position.cursor = id;
      if (entry.kind === "delta") {
        if (entry.offset > position.offset) {
          // The bus lost entries (capped, or an append failed); the database may have them.
          state = await chat.replyState(db, reply);
          if (!state || state.content.length < entry.offset) {
            return yield* followDatabase(deps, reply, position, signal);
          }
          const gap = state.content.slice(position.offset, entry.offset);
          position.offset = entry.offset;
          yield tracked(eventId({ offset: position.offset, cursor: null }), { delta: gap });
        }
        const end = entry.offset + entry.text.length;
        if (end <= position.offset) continue; // already sent
        const delta = entry.text.slice(position.offset - entry.offset);
        position.offset = end;
        yield tracked(eventId(position), { delta });
      } else {
        if (position.offset < entry.length) {
          // The database was written before the final entry, so it has the rest.
          state = await chat.replyState(db, reply);
          const rest = state?.content.slice(position.offset, entry.length) ?? "";
          if (rest) {
            position.offset += rest.length;
            yield tracked(eventId({ offset: position.offset, cursor: null }), { delta: rest });
          }
        }
        const { status, usage, model, error } = entry;
        return yield tracked(eventId(position), { status, usage, model, error });
      }
    }
  }
}

/** The rest of an ended reply, then its final event. */
async function* fromDatabase(state: ReplyState, position: ReplyPosition) {
  const rest = state.content.slice(position.offset);
  if (rest) {
    position.offset += rest.length;
    yield tracked(eventId({ offset: position.offset, cursor: null }), { delta: rest });
  }
  yield tracked(eventId({ offset: position.offset, cursor: null }), finalEventOf(state));
}

/** Without a usable bus: the database's copy, polled at the save interval, until the end. */
async function* followDatabase(
  deps: { db: Database; settings: ChatSettings },
  reply: chat.ReplyRef,
  position: ReplyPosition,
  signal: AbortSignal | undefined,
) {
  while (!signal?.aborted) {
    const state = await chat.replyState(deps.db, reply);
    if (!state) return;
    if (state.status !== "streaming") return yield* fromDatabase(state, position);
    if (state.content.length > position.offset) {
      const delta = state.content.slice(position.offset);
      position.offset += delta.length;
      yield tracked(eventId({ offset: position.offset, cursor: null }), { delta });
    }
    await abortableSleep(deps.settings.saveIntervalMs, signal);
  }
}

function finalEventOf(state: ReplyState): ReplyEvent {
  return {
    status: state.status as FinalStatus,
    usage:
      state.promptTokens !== null && state.completionTokens !== null
        ? { promptTokens: state.promptTokens, completionTokens: state.completionTokens }
        : null,
    model: state.model,
    error: state.error,
  };
}

function abortableSleep(ms: number, signal: AbortSignal | undefined) {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

import { randomUUID } from "node:crypto";
import type { Database } from "../client";
import type { Prisma } from "../generated/prisma/client";
import type { MessageRole, MessageStatus } from "../generated/prisma/enums";
import { conversationSelect } from "./chat";
import type { Rating } from "./feedback";

/**
 * Moving a user's history in and out: an import writes whole conversations in one
 * transaction (nothing of a failed import stays), an export reads them a page at a time.
 */

export interface ImportMessage {
  /** The message's id in the file; parents refer to it. */
  key: string;
  parentKey: string | null;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  model: string | null;
  error: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  createdAt: Date;
  /** On the visible branch: exactly one per depth, one chain from a root. */
  active: boolean;
  /** The owner's thumbs up or down; only a reply carries one. */
  rating?: Rating | null;
}

export interface ImportConversation {
  title: string;
  model: string | null;
  systemPrompt: string | null;
  temperature: number | null;
  pinned: boolean;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** The key of its folder among the import's folders; null: filed in none. */
  folderKey?: string | null;
  /** Parents before their children. */
  messages: ImportMessage[];
}

/** A folder of the file; conversations name it by `key` (its id in the file). */
export interface ImportFolder {
  key: string;
  name: string;
}

export interface ImportPreset {
  name: string;
  systemPrompt: string | null;
  model: string | null;
  temperature: number | null;
}

export interface ImportExtras {
  folders: ImportFolder[];
  presets: ImportPreset[];
  /** How many folders and presets the user may hold in all (the features' own limits). */
  limits: { folders: number; presets: number; nameLength: number };
}

/** What became of the file's folders and presets. */
export interface ImportPlacement {
  foldersCreated: number;
  /** File folders filed into a folder of the same name the user already had. */
  foldersReused: number;
  /** Names of file folders left out at the folder limit (their conversations stay unfiled). */
  foldersLeftOut: string[];
  presetsCreated: number;
  /** Presets the user already had with the same name and settings. */
  presetsSame: number;
  /** [name in the file, name given] for presets whose name was taken by a different one. */
  presetsRenamed: Array<[string, string]>;
  presetsLeftOut: string[];
}

const noExtras: ImportExtras = {
  folders: [],
  presets: [],
  limits: { folders: 0, presets: 0, nameLength: 100 },
};

/** `name`, or `name (2)`, `name (3)`, ... : the first not in `taken`, within `max` characters. */
export function freeName(name: string, taken: ReadonlySet<string>, max: number): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = `${[...name].slice(0, max - suffix.length).join("")}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

const samePreset = (a: ImportPreset, b: ImportPreset) =>
  a.systemPrompt === b.systemPrompt && a.model === b.model && a.temperature === b.temperature;

const CHUNK = 500;

/**
 * Writes the conversations with the file's folders and presets, all or nothing; returns the
 * new conversations' ids and what became of the folders and presets. Nothing the user
 * already has is changed: a folder of the same name is reused (folders are labels, and a
 * restored backup or a file imported twice should not double the sidebar's folders); a
 * preset's name is its key, so one with the same settings is kept once and a different one
 * gets a free name (`Name (2)`).
 */
export async function importConversations(
  db: Database,
  userId: string,
  conversations: ImportConversation[],
  extras: ImportExtras = noExtras,
): Promise<{ ids: string[]; placement: ImportPlacement }> {
  const ids: string[] = [];
  const conversationRows: Prisma.ConversationCreateManyInput[] = [];
  const messageRows: Array<Prisma.MessageCreateManyInput & { depth: number }> = [];
  const ratingRows: Prisma.MessageFeedbackCreateManyInput[] = [];
  /** [index in conversationRows, folder key] */
  const filed: Array<[number, string]> = [];
  for (const conversation of conversations) {
    const conversationId = randomUUID();
    ids.push(conversationId);
    const { messages, folderKey, ...fields } = conversation;
    conversationRows.push({ id: conversationId, userId, ...fields });
    if (folderKey != null) filed.push([conversationRows.length - 1, folderKey]);
    const placed = new Map<string, { id: string; depth: number }>();
    for (const message of messages) {
      const parent = message.parentKey === null ? null : placed.get(message.parentKey);
      if (parent === undefined) throw new Error(`message ${message.key} comes before its parent`);
      const row = {
        id: randomUUID(),
        conversationId,
        userId,
        parentId: parent?.id ?? null,
        depth: parent ? parent.depth + 1 : 0,
        active: message.active,
        role: message.role,
        content: message.content,
        status: message.status,
        model: message.model,
        error: message.error,
        promptTokens: message.promptTokens,
        completionTokens: message.completionTokens,
        createdAt: message.createdAt,
        updatedAt: message.createdAt,
      };
      placed.set(message.key, { id: row.id, depth: row.depth });
      messageRows.push(row);
      if (message.rating && message.role === "assistant")
        ratingRows.push({ userId, messageId: row.id, rating: message.rating });
    }
  }
  // Parents first, so every row's parent exists when it is written.
  messageRows.sort((a, b) => a.depth - b.depth);
  const placement: ImportPlacement = {
    foldersCreated: 0,
    foldersReused: 0,
    foldersLeftOut: [],
    presetsCreated: 0,
    presetsSame: 0,
    presetsRenamed: [],
    presetsLeftOut: [],
  };
  await db.prisma.$transaction(
    async (tx) => {
      const folderIds = new Map<string, string>();
      if (extras.folders.length) {
        const mine = await tx.folder.findMany({
          where: { userId },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          select: { id: true, name: true },
        });
        const byName = new Map<string, string>();
        for (const f of mine) if (!byName.has(f.name)) byName.set(f.name, f.id);
        const own = new Set(mine.map((f) => f.id));
        let count = mine.length;
        const now = Date.now();
        const created: Prisma.FolderCreateManyInput[] = [];
        for (const folder of extras.folders) {
          const existing = byName.get(folder.name);
          if (existing) {
            folderIds.set(folder.key, existing);
            if (own.has(existing)) placement.foldersReused++;
            continue;
          }
          if (count >= extras.limits.folders) {
            placement.foldersLeftOut.push(folder.name);
            continue;
          }
          const id = randomUUID();
          // Folders list oldest first: a millisecond apart, they follow the user's own in the
          // file's order.
          created.push({
            id,
            userId,
            name: folder.name,
            createdAt: new Date(now + created.length),
          });
          byName.set(folder.name, id);
          folderIds.set(folder.key, id);
          count++;
        }
        placement.foldersCreated = created.length;
        if (created.length) await tx.folder.createMany({ data: created });
      }
      for (const [index, key] of filed) {
        const folderId = folderIds.get(key);
        if (folderId) conversationRows[index]!.folderId = folderId;
      }
      if (extras.presets.length) {
        const mine = await tx.preset.findMany({
          where: { userId },
          select: { name: true, systemPrompt: true, model: true, temperature: true },
        });
        const byName = new Map(mine.map((p) => [p.name, p as ImportPreset]));
        const created: Prisma.PresetCreateManyInput[] = [];
        for (const preset of extras.presets) {
          const existing = byName.get(preset.name);
          if (existing && samePreset(existing, preset)) {
            placement.presetsSame++;
            continue;
          }
          if (byName.size >= extras.limits.presets) {
            placement.presetsLeftOut.push(preset.name);
            continue;
          }
          const name = freeName(preset.name, new Set(byName.keys()), extras.limits.nameLength);
          if (name !== preset.name) placement.presetsRenamed.push([preset.name, name]);
          const fields = {
            name,
            systemPrompt: preset.systemPrompt,
            model: preset.model,
            temperature: preset.temperature,
          };
          created.push({ userId, ...fields });
          byName.set(name, fields);
        }
        placement.presetsCreated = created.length;
        if (created.length) await tx.preset.createMany({ data: created });
      }
      for (let i = 0; i < conversationRows.length; i += CHUNK)
        await tx.conversation.createMany({ data: conversationRows.slice(i, i + CHUNK) });
      for (let i = 0; i < messageRows.length; i += CHUNK)
        await tx.message.createMany({ data: messageRows.slice(i, i + CHUNK) });
      for (let i = 0; i < ratingRows.length; i += CHUNK)
        await tx.messageFeedback.createMany({ data: ratingRows.slice(i, i + CHUNK) });
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
  return { ids, placement };
}

/** The user's conversations, oldest first, `limit` after the one with id `after`. */
export function conversationsPage(
  db: Database,
  userId: string,
  args: { after: { createdAt: Date; id: string } | null; limit: number },
) {
  const after = args.after;
  return db.prisma.conversation.findMany({
    where: {
      userId,
      ...(after
        ? {
            OR: [
              { createdAt: { gt: after.createdAt } },
              { createdAt: after.createdAt, id: { gt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: args.limit,
    select: conversationSelect,
  });
}

/**
 * Every message of the conversations, every branch, parents before children, each with the
 * owner's rating (null when unrated).
 */
export async function messagesOfConversations(
  db: Database,
  userId: string,
  conversationIds: string[],
) {
  const rows = await db.prisma.message.findMany({
    where: { userId, conversationId: { in: conversationIds } },
    orderBy: [{ depth: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      conversationId: true,
      parentId: true,
      active: true,
      role: true,
      content: true,
      status: true,
      model: true,
      error: true,
      promptTokens: true,
      completionTokens: true,
      createdAt: true,
      // The (user_id, message_id) key: only the owner's own rating of their reply.
      feedback: { select: { rating: true } },
    },
  });
  return rows.map(({ feedback, ...m }) => ({ ...m, rating: feedback?.rating ?? null }));
}

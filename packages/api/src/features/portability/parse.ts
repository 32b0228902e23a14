import type { portability } from "@parley/db";
import { z } from "zod";
import { DomainError } from "../../core/errors";

type ImportConversation = portability.ImportConversation;
type ImportMessage = portability.ImportMessage;
type ImportFolder = portability.ImportFolder;
type ImportPreset = portability.ImportPreset;

/** What one import may hold. */
export const importLimits = {
  bytes: 64 * 1024 * 1024,
  conversations: 10_000,
  messages: 200_000,
  messageChars: 1_000_000,
  title: 200,
  /** As the model columns: a `<provider id>/<model>` reference fits. */
  model: 200,
  systemPrompt: 8_000,
  /** A folder's or a preset's name (folders/schemas.ts, presets/schemas.ts). */
  name: 100,
  /** Folders and presets one file may list: far more than an account may hold. */
  folders: 1_000,
  presets: 1_000,
  /** What an account may hold in all: folderLimits.perUser and presetLimits.perUser (features
   * do not import each other; a test checks they agree). */
  accountFolders: 200,
  accountPresets: 100,
} as const;

/** The name of Parley's own export format, in its `format` field. */
export const HISTORY_FORMAT = "parley.history";

export interface ParsedImport {
  source: "chatgpt" | "parley";
  conversations: ImportConversation[];
  /** A Parley export's folders (conversations name them by folderKey) and presets. */
  folders: ImportFolder[];
  presets: ImportPreset[];
  /** What could not be brought over, in words a person reads. */
  warnings: string[];
}

const refuse = (message: string) => new DomainError("BAD_REQUEST", message, { field: "file" });

/** Reads an uploaded file: ChatGPT's conversations.json or a Parley export. */
export function parseImport(text: string): ParsedImport {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    throw refuse(
      "The file is not JSON: choose conversations.json from a ChatGPT export or a Parley export",
    );
  }
  let parsed: ParsedImport;
  if (Array.isArray(data) && data.every(isChatGptConversation)) parsed = fromChatGpt(data);
  else if (isRecord(data) && data.format === HISTORY_FORMAT) parsed = fromParleyHistory(data);
  else if (isRecord(data) && isRecord(data.conversation) && Array.isArray(data.messages))
    parsed = fromParleyHistory({
      conversations: [{ ...data.conversation, messages: data.messages }],
    });
  else
    throw refuse("This file is neither a ChatGPT export (conversations.json) nor a Parley export");
  if (parsed.conversations.length === 0) throw refuse("The file holds no conversations");
  if (parsed.conversations.length > importLimits.conversations)
    throw refuse(
      `The file holds ${parsed.conversations.length.toLocaleString("en")} conversations; one import takes at most ${importLimits.conversations.toLocaleString("en")}`,
    );
  const messages = parsed.conversations.reduce((n, c) => n + c.messages.length, 0);
  if (messages > importLimits.messages)
    throw refuse(
      `The file holds ${messages.toLocaleString("en")} messages; one import takes at most ${importLimits.messages.toLocaleString("en")}`,
    );
  return parsed;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function isChatGptConversation(value: unknown): boolean {
  return isRecord(value) && isRecord(value.mapping);
}

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);
// Postgres text cannot hold NUL; unpaired surrogates cannot be encoded.
const clean = (text: string) =>
  text
    .replaceAll("\u0000", "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

function date(seconds: unknown, fallback: Date): Date {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return fallback;
  const value = new Date(Math.round(seconds * 1000));
  return value.getUTCFullYear() >= 1970 && value.getUTCFullYear() <= 9999 ? value : fallback;
}

function messageText(title: string, label: string, content: string): string {
  if (content.length > importLimits.messageChars)
    throw refuse(
      `“${title}”: ${label} has ${content.length.toLocaleString("en")} characters; at most ${importLimits.messageChars.toLocaleString("en")} are taken`,
    );
  return clean(content);
}

/**
 * Keeps `active` true only on one chain, from `leaf` up to its root; messages are in
 * parent-before-child order.
 */
function markActive(messages: ImportMessage[], leaf: string | null): void {
  const byKey = new Map(messages.map((m) => [m.key, m]));
  for (const m of messages) m.active = false;
  let at = leaf ? byKey.get(leaf) : undefined;
  while (at) {
    at.active = true;
    at = at.parentKey ? byKey.get(at.parentKey) : undefined;
  }
}

/** The leaf to show when the file does not say: the newest message without children. */
function newestLeaf(messages: ImportMessage[]): string | null {
  const parents = new Set(messages.map((m) => m.parentKey));
  let best: ImportMessage | null = null;
  for (const m of messages)
    if (!parents.has(m.key) && (!best || m.createdAt >= best.createdAt)) best = m;
  return best?.key ?? null;
}

// ---------------------------------------------------------------------------------------
// ChatGPT: conversations.json is an array of conversations, each a tree of nodes (`mapping`)
// from a message-less root; `current_node` is the leaf of the branch on screen.

interface ChatGptNode {
  id?: unknown;
  parent?: unknown;
  children?: unknown;
  message?: {
    author?: { role?: unknown };
    create_time?: unknown;
    content?: { content_type?: unknown; parts?: unknown; text?: unknown; language?: unknown };
    status?: unknown;
    metadata?: { model_slug?: unknown; is_visually_hidden_from_conversation?: unknown };
  } | null;
}

function fromChatGpt(items: unknown[]): ParsedImport {
  const warnings: string[] = [];
  const conversations = items.map((raw, index) => {
    const c = raw as Record<string, unknown>;
    const title = clip(
      clean(
        typeof c.title === "string" && c.title.trim()
          ? c.title.trim()
          : `Imported conversation ${index + 1}`,
      ),
      importLimits.title,
    );
    const createdAt = date(c.create_time, new Date());
    const mapping = c.mapping as Record<string, ChatGptNode>;
    const defaultModel = typeof c.default_model_slug === "string" ? c.default_model_slug : null;
    const skipped = new Map<string, number>();
    const note = (what: string) => skipped.set(what, (skipped.get(what) ?? 0) + 1);
    let images = 0;
    let systemPrompt: string | null = null;

    // Nodes in tree order from the roots (nodes without a known parent).
    const roots = Object.keys(mapping).filter((key) => {
      const parent = mapping[key]?.parent;
      return typeof parent !== "string" || !(parent in mapping);
    });
    const order: string[] = [];
    const seen = new Set<string>();
    const queue = [...roots];
    while (queue.length) {
      const key = queue.shift()!;
      if (seen.has(key)) continue;
      seen.add(key);
      order.push(key);
      const children = mapping[key]?.children;
      if (Array.isArray(children))
        for (const child of children)
          if (typeof child === "string" && child in mapping) queue.push(child);
    }

    const messages: ImportMessage[] = [];
    // A skipped node's children hang from its nearest kept ancestor.
    const keptAs = new Map<string, string | null>();
    const merged = new Set<string>();
    const byKey = new Map<string, ImportMessage>();
    for (const key of order) {
      const node = mapping[key]!;
      const parentKey = typeof node.parent === "string" ? (keptAs.get(node.parent) ?? null) : null;
      keptAs.set(key, parentKey);
      const message = node.message;
      if (!message) continue;
      const role = message.author?.role;
      const content = message.content ?? {};
      const type = typeof content.content_type === "string" ? content.content_type : "unknown";
      const parts = Array.isArray(content.parts) ? content.parts : [];
      const strings = parts.filter((p): p is string => typeof p === "string");
      let text: string;
      if (type === "text") text = strings.join("\n");
      else if (type === "multimodal_text") {
        const pictures = parts.filter(
          (p) => isRecord(p) && p.content_type === "image_asset_pointer",
        ).length;
        images += pictures;
        text = strings.join("\n");
        if (!text.trim() && pictures) text = "_(an image that the export does not contain)_";
      } else if (type === "code") {
        const code = typeof content.text === "string" ? content.text : strings.join("\n");
        const language =
          typeof content.language === "string" && content.language !== "unknown"
            ? content.language
            : "";
        text = code.includes("```") ? code : `\`\`\`${language}\n${code}\n\`\`\``;
      } else if (typeof content.text === "string" || strings.length) {
        text = typeof content.text === "string" ? content.text : strings.join("\n");
      } else {
        note(`message of an unsupported kind (${type})`);
        continue;
      }
      if (role === "system") {
        if (
          text.trim() &&
          message.metadata?.is_visually_hidden_from_conversation !== true &&
          !systemPrompt
        )
          systemPrompt = clip(clean(text), importLimits.systemPrompt);
        continue;
      }
      if (role === "tool") {
        note("tool message");
        continue;
      }
      if (role !== "user" && role !== "assistant") {
        note(`message from an unknown author (${String(role)})`);
        continue;
      }
      if (!text.trim()) continue;
      const label = `message ${key}`;
      const parent = parentKey ? byKey.get(parentKey) : undefined;
      // Tool steps between two replies leave them one under the other: one reply, as shown.
      if (role === "assistant" && parent?.role === "assistant" && !merged.has(parent.key)) {
        merged.add(parent.key);
        parent.content = messageText(title, label, `${parent.content}\n\n${text}`);
        keptAs.set(key, parent.key);
        continue;
      }
      const model =
        role === "assistant"
          ? typeof message.metadata?.model_slug === "string"
            ? message.metadata.model_slug
            : defaultModel
          : null;
      const imported: ImportMessage = {
        key,
        parentKey,
        role,
        content: messageText(title, label, text),
        status: message.status === "in_progress" ? "interrupted" : "complete",
        model: model ? clip(model, importLimits.model) : null,
        error: null,
        promptTokens: null,
        completionTokens: null,
        createdAt: date(message.create_time, createdAt),
        active: false,
      };
      messages.push(imported);
      byKey.set(key, imported);
      keptAs.set(key, key);
    }
    const current =
      typeof c.current_node === "string" ? (keptAs.get(c.current_node) ?? null) : null;
    markActive(messages, current ?? newestLeaf(messages));
    for (const [what, count] of skipped)
      warnings.push(`“${title}”: ${count} ${what}${count === 1 ? "" : "s"} left out`);
    if (images)
      warnings.push(
        `“${title}”: ${images} image${images === 1 ? "" : "s"} not included (ChatGPT's conversations.json holds no image files)`,
      );
    return {
      title,
      model: defaultModel ? clip(defaultModel, importLimits.model) : null,
      systemPrompt,
      temperature: null,
      pinned: c.is_starred === true,
      archived: c.is_archived === true,
      createdAt,
      updatedAt: date(c.update_time, createdAt),
      messages,
    };
  });
  return { source: "chatgpt", conversations, folders: [], presets: [], warnings };
}

// ---------------------------------------------------------------------------------------
// Parley: a history export (every branch) or one conversation's JSON export (its branch).

const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const parleyMessage = z.object({
  id: z.string().min(1).max(100),
  parentId: z.string().max(100).nullish(),
  active: z.boolean().optional(),
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  status: z.enum(["streaming", "complete", "stopped", "error", "interrupted"]).default("complete"),
  model: z.string().nullish(),
  error: z.string().nullish(),
  // Integer columns: at most 2^31 - 1.
  promptTokens: z.number().int().min(0).max(2_147_483_647).nullish(),
  completionTokens: z.number().int().min(0).max(2_147_483_647).nullish(),
  createdAt: isoDate,
  /** The owner's thumbs up or down on a reply. */
  rating: z.enum(["up", "down"]).nullish(),
});
const parleyConversation = z.object({
  title: z.string(),
  model: z.string().nullish(),
  systemPrompt: z.string().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  pinned: z.boolean().default(false),
  archived: z.boolean().default(false),
  createdAt: isoDate,
  updatedAt: isoDate,
  /** The id of its folder among the file's `folders`. */
  folderId: z.string().max(100).nullish(),
  messages: z.array(parleyMessage),
});
const name = z.string().max(1_000);
const parleyHistory = z.object({
  folders: z
    .array(z.object({ id: z.string().min(1).max(100), name }))
    .max(importLimits.folders)
    .default([]),
  presets: z
    .array(
      z.object({
        name,
        systemPrompt: z.string().max(100_000).nullish(),
        model: z.string().max(1_000).nullish(),
        temperature: z.number().min(0).max(2).nullish(),
      }),
    )
    .max(importLimits.presets)
    .default([]),
  conversations: z.array(parleyConversation),
});

function fromParleyHistory(data: Record<string, unknown>): ParsedImport {
  const result = parleyHistory.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw refuse(`This Parley export is damaged: ${issue.path.join(".")}: ${issue.message}`);
  }
  const warnings: string[] = [];
  // Names are cut to what the columns hold; a nameless folder or preset is left out.
  const folders: ImportFolder[] = [];
  for (const f of result.data.folders) {
    const folderName = clip(clean(f.name.trim()), importLimits.name).trim();
    if (folderName) folders.push({ key: f.id, name: folderName });
  }
  const presets: ImportPreset[] = [];
  for (const p of result.data.presets) {
    const presetName = clip(clean(p.name.trim()), importLimits.name).trim();
    if (!presetName) {
      warnings.push("A preset without a name left out");
      continue;
    }
    const model = p.model?.trim() ? clip(clean(p.model.trim()), importLimits.model) : null;
    presets.push({
      name: presetName,
      systemPrompt: p.systemPrompt?.trim()
        ? clip(clean(p.systemPrompt), importLimits.systemPrompt)
        : null,
      model,
      temperature: p.temperature ?? null,
    });
  }
  const folderKeys = new Set(folders.map((f) => f.key));
  const conversations = result.data.conversations.map((c) => {
    const title = clip(clean(c.title.trim() || "Imported conversation"), importLimits.title);
    const keys = new Set<string>();
    // A one-conversation export lists its branch without parents: each follows the last.
    const linear = c.messages.every((m) => m.parentId === undefined);
    const messages: ImportMessage[] = c.messages.map((m, i) => {
      const parentKey = linear ? (i > 0 ? c.messages[i - 1]!.id : null) : (m.parentId ?? null);
      if (keys.has(m.id)) throw refuse(`“${title}”: message ${m.id} appears twice`);
      if (parentKey !== null && !keys.has(parentKey))
        throw refuse(
          `“${title}”: message ${m.id} comes before its parent ${parentKey}, or its parent is missing`,
        );
      keys.add(m.id);
      return {
        key: m.id,
        parentKey,
        role: m.role,
        content: messageText(title, `message ${m.id}`, m.content),
        // Nothing is writing an imported reply any more.
        status: m.status === "streaming" ? "interrupted" : m.status,
        model: m.model ? clip(clean(m.model), importLimits.model) : null,
        error: m.error ? clip(clean(m.error), 500) : null,
        promptTokens: m.promptTokens ?? null,
        completionTokens: m.completionTokens ?? null,
        createdAt: m.createdAt,
        active: m.active ?? true,
        // Only replies are rated; a rating on a question (a hand-edited file) is dropped.
        rating: m.role === "assistant" ? (m.rating ?? null) : null,
      };
    });
    // The visible branch ends at the deepest message marked active.
    const depth = new Map<string, number>();
    let leaf: string | null = null;
    for (const m of messages) {
      const d = m.parentKey ? depth.get(m.parentKey)! + 1 : 0;
      depth.set(m.key, d);
      if (m.active && (leaf === null || d >= depth.get(leaf)!)) leaf = m.key;
    }
    markActive(messages, leaf ?? newestLeaf(messages));
    return {
      title,
      model: c.model ? clip(clean(c.model), importLimits.model) : null,
      systemPrompt: c.systemPrompt ? clip(clean(c.systemPrompt), importLimits.systemPrompt) : null,
      temperature: c.temperature ?? null,
      pinned: c.pinned,
      archived: c.archived,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      // A folder the file does not list (an export of an older version): filed in none.
      folderKey: c.folderId && folderKeys.has(c.folderId) ? c.folderId : null,
      messages,
    };
  });
  return { source: "parley", conversations, folders, presets, warnings };
}

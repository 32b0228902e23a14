import { files, folders, portability, presets, share, users } from "@parley/db";
import type { AppDeps } from "../../core/context";
import { HISTORY_FORMAT, importLimits, parseImport } from "./parse";

/** What this feature reads of AppDeps. */
export type PortabilityDeps = Pick<AppDeps, "db">;

export interface ImportResult {
  source: "chatgpt" | "parley";
  conversations: number;
  messages: number;
  /** Folders and presets added (a folder or preset the user already had is not counted). */
  folders: number;
  presets: number;
  /** What could not be brought over (images the file lacks, tool steps, ...). */
  warnings: string[];
}

/**
 * Imports a ChatGPT conversations.json or a Parley export as new conversations of the
 * user, in one transaction: a file that fails anywhere leaves nothing behind.
 */
export async function importHistory(
  deps: PortabilityDeps,
  userId: string,
  text: string,
): Promise<ImportResult> {
  const parsed = parseImport(text);
  const { placement } = await portability.importConversations(
    deps.db,
    userId,
    parsed.conversations,
    {
      folders: parsed.folders,
      presets: parsed.presets,
      limits: {
        folders: importLimits.accountFolders,
        presets: importLimits.accountPresets,
        nameLength: importLimits.name,
      },
    },
  );
  return {
    source: parsed.source,
    conversations: parsed.conversations.length,
    messages: parsed.conversations.reduce((n, c) => n + c.messages.length, 0),
    folders: placement.foldersCreated,
    presets: placement.presetsCreated,
    warnings: [...parsed.warnings, ...placementWarnings(placement)].slice(0, 100),
  };
}

const quoted = (names: string[]) => names.map((n) => `“${n}”`).join(", ");

/** What a person should know of where the folders and presets went. */
function placementWarnings(placement: portability.ImportPlacement): string[] {
  const warnings: string[] = [];
  for (const [from, to] of placement.presetsRenamed)
    warnings.push(`Preset “${from}” imported as “${to}”: you already have a different “${from}”`);
  if (placement.foldersLeftOut.length)
    warnings.push(
      `Folders ${quoted(placement.foldersLeftOut)} not created (at most ${importLimits.accountFolders} folders): their conversations are in no folder`,
    );
  if (placement.presetsLeftOut.length)
    warnings.push(
      `Presets ${quoted(placement.presetsLeftOut)} left out (at most ${importLimits.accountPresets} presets)`,
    );
  return warnings;
}

/** A file the export names, to put beside conversations.json. */
export interface ExportedAttachment {
  id: string;
  name: string;
  mimeType: string;
  size: number;
  /** Where it is in the archive. */
  path: string;
}

const PAGE = 50;

/** The file name an attachment gets in the archive: its id keeps names apart. */
export function attachmentPath(id: string, name: string): string {
  const safe =
    [...name]
      .map((c) => (c.charCodeAt(0) < 0x20 || '\\/:*?"<>|'.includes(c) ? "_" : c))
      .join("")
      .replace(/^\.+/, "_") || "file";
  return `files/${id}/${safe}`;
}

/** The account's folders and presets as an export carries them (the history file and the
 * archive alike): what an import restores. */
async function portableFiling(deps: PortabilityDeps, userId: string) {
  const [folderRows, presetRows] = await Promise.all([
    folders.listFolders(deps.db, userId),
    presets.listPresets(deps.db, userId),
  ]);
  return {
    folders: folderRows.map((f) => ({ id: f.id, name: f.name, createdAt: f.createdAt })),
    presets: presetRows.map((p) => ({
      name: p.name,
      systemPrompt: p.systemPrompt,
      model: p.model,
      temperature: p.temperature,
      createdAt: p.createdAt,
    })),
  };
}

/**
 * Every conversation of the user, every branch, as Parley's history format, in pieces of
 * text (one conversation each), so it can be streamed. Attachments are named by their path
 * in the archive (see accountFiles).
 */
export async function* exportHistory(
  deps: PortabilityDeps,
  userId: string,
): AsyncGenerator<string> {
  // Folders and presets first: an import of this one file restores them too (each
  // conversation names its folder by folderId).
  const filing = await portableFiling(deps, userId);
  const header = {
    format: HISTORY_FORMAT,
    version: 1,
    exportedAt: new Date().toISOString(),
    ...filing,
  };
  yield `${JSON.stringify(header).slice(0, -1)},"conversations":[`;
  let after: { createdAt: Date; id: string } | null = null;
  let first = true;
  for (;;) {
    const page = await portability.conversationsPage(deps.db, userId, { after, limit: PAGE });
    if (page.length === 0) break;
    const messages = await portability.messagesOfConversations(
      deps.db,
      userId,
      page.map((c) => c.id),
    );
    const carried = await files.attachmentsOf(
      deps.db,
      userId,
      messages.filter((m) => m.role === "user").map((m) => m.id),
    );
    for (const conversation of page) {
      const document = {
        ...conversation,
        messages: messages
          .filter((m) => m.conversationId === conversation.id)
          .map(({ conversationId: _, ...m }) => ({
            ...m,
            attachments: carried
              .filter((a) => a.messageId === m.id)
              .map((a) => ({
                id: a.id,
                name: a.name,
                mimeType: a.mimeType,
                size: a.size,
                path: attachmentPath(a.id, a.name),
              })),
          })),
      };
      yield (first ? "\n" : ",\n") + JSON.stringify(document);
      first = false;
    }
    const last = page[page.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
    if (page.length < PAGE) break;
  }
  yield "\n]}\n";
}

/** The account itself, for account.json: never the password hash or a secret. */
export async function accountSummary(deps: PortabilityDeps, userId: string) {
  const user = await users.findUserById(deps.db, userId);
  const links = await share.listShares(deps.db, userId);
  // Each conversation of conversations.json names its folder by id (folderId).
  const filing = await portableFiling(deps, userId);
  return {
    username: user?.username ?? null,
    email: user?.email ?? null,
    role: user?.role ?? null,
    createdAt: user?.createdAt ?? null,
    sharedLinks: links.map((l) => ({
      conversationId: l.conversationId,
      title: l.title,
      messageCount: l.messageCount,
      createdAt: l.createdAt,
    })),
    ...filing,
  };
}

/** Every file the user keeps, attached or not, a page at a time. */
export async function* accountFiles(
  deps: PortabilityDeps,
  userId: string,
): AsyncGenerator<ExportedAttachment> {
  let cursor: string | null = null;
  for (;;) {
    const page = await files.listFiles(deps.db, userId, { limit: PAGE, cursor });
    for (const file of page.items)
      yield {
        id: file.id,
        name: file.name,
        mimeType: file.mimeType,
        size: file.size,
        path: attachmentPath(file.id, file.name),
      };
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/**
 * What the files feature and chat both need about stored files: where they are, how they
 * are encrypted, and how they go away. Kept in core because chat (attachments in prompts,
 * deleting conversations) and files (upload, download) may not import each other.
 */
import { files as q, type Database } from "@parley/db";
import type { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import sharp from "sharp";
import type { ObjectStorage } from "../infra/storage";
import { unwrapDataKey, type KeyRing } from "./crypto";
import { decryptStream, encryptStream } from "./crypto-streams";

export interface FilesRuntime {
  storage: ObjectStorage;
  /** Largest upload, in bytes (FILE_MAX_BYTES). */
  maxBytes: number;
  /** Bytes of files each user may keep (STORAGE_QUOTA_BYTES). */
  quotaBytes: number;
  /** Models that take images (AI_VISION_MODELS); null: every model. */
  visionModels: readonly string[] | null;
}

/** The variants stored beside a file, each encrypted under the file's data key. */
export type FileVariant = "original" | "thumb" | "text";

export function storageKeyOf(userId: string, fileId: string): string {
  return `u/${userId}/${fileId}`;
}

export function variantKey(storageKey: string, variant: FileVariant): string {
  return variant === "original"
    ? storageKey
    : `${storageKey}.${variant === "thumb" ? "thumb" : "txt"}`;
}

/** Bound into the wrapped data key, so a key copied onto another file's row does not open. */
export function fileKeyContext(file: { userId: string; id: string }): string {
  return `file:${file.userId}:${file.id}`;
}

/** Encrypts `body` with `dataKey` on its way into the store. */
export function putEncrypted(
  storage: ObjectStorage,
  key: string,
  dataKey: Buffer,
  body: Readable,
): Promise<{ size: number }> {
  const encrypted = encryptStream(dataKey);
  body.once("error", (error) => encrypted.destroy(error));
  return storage.put(key, body.pipe(encrypted));
}

/** The plaintext of one variant, decrypted as it streams; null when it is not stored. A
 * wrong key or tampered object fails the stream (DecryptionError). */
export async function readDecrypted(
  storage: ObjectStorage,
  keyRing: KeyRing,
  file: Pick<q.StoredFile, "userId" | "id" | "storageKey" | "wrappedKey">,
  variant: FileVariant = "original",
): Promise<Readable | null> {
  const dataKey = unwrapDataKey(keyRing, file.wrappedKey, fileKeyContext(file));
  const body = await storage.get(variantKey(file.storageKey, variant));
  if (!body) return null;
  const plain = decryptStream(dataKey);
  body.once("error", (error) => plain.destroy(error));
  return body.pipe(plain);
}

function allVariants(storageKeys: string[]): string[] {
  return storageKeys.flatMap((key) => [
    variantKey(key, "original"),
    variantKey(key, "thumb"),
    variantKey(key, "text"),
  ]);
}

/** Deletes files' rows, then their objects (a row without its object would be a broken
 * file; an object without its row is only garbage, which the next purge removes). */
export async function purgeFiles(
  db: Database,
  storage: ObjectStorage,
  userId: string,
  ids: string[],
): Promise<number> {
  const keys = await q.deleteFiles(db, userId, ids);
  await storage.delete(allVariants(keys));
  return keys.length;
}

/** After messages were deleted: their attached files go too. */
export async function purgeDetachedFiles(
  db: Database,
  files: FilesRuntime | undefined,
  userId: string,
): Promise<void> {
  if (!files) return;
  await purgeFiles(db, files.storage, userId, await q.detachedFiles(db, userId));
}

/** After an account was deleted (its rows cascaded): every object under its prefix. */
export async function purgeUserObjects(
  files: FilesRuntime | undefined,
  userId: string,
): Promise<void> {
  if (!files) return;
  await files.storage.delete(await files.storage.list(`u/${userId}/`));
}

/** Longest extracted text put before a question, per file. */
export const DOCUMENT_TEXT_LIMIT = 100_000;
/** Images are scaled to fit this square before they are sent to a model. */
export const MODEL_IMAGE_PX = 2048;

export type PromptPart =
  { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

async function imageDataUrl(
  files: FilesRuntime,
  keyRing: KeyRing,
  file: q.StoredFile,
): Promise<string> {
  const body = await readDecrypted(files.storage, keyRing, file);
  if (!body) throw new Error(`file ${file.id} is missing from the store`);
  let bytes = await buffer(body);
  let mimeType = file.mimeType;
  if ((file.width ?? 0) > MODEL_IMAGE_PX || (file.height ?? 0) > MODEL_IMAGE_PX) {
    bytes = await sharp(bytes)
      .rotate()
      .resize(MODEL_IMAGE_PX, MODEL_IMAGE_PX, { fit: "inside" })
      .jpeg({ quality: 85 })
      .toBuffer();
    mimeType = "image/jpeg";
  }
  return `data:${mimeType};base64,${bytes.toString("base64")}`;
}

async function documentBlock(
  files: FilesRuntime,
  keyRing: KeyRing,
  file: q.StoredFile,
): Promise<string> {
  const body = await readDecrypted(
    files.storage,
    keyRing,
    file,
    file.kind === "text" ? "original" : "text",
  );
  if (!body) throw new Error(`file ${file.id} is missing from the store`);
  let text = (await buffer(body)).toString("utf8");
  let note = "";
  if (text.length > DOCUMENT_TEXT_LIMIT) {
    note = `\n[Parley cut this document here: only the first ${DOCUMENT_TEXT_LIMIT.toLocaleString("en")} of its ${text.length.toLocaleString("en")} characters are included.]`;
    text = text.slice(0, DOCUMENT_TEXT_LIMIT);
  }
  return `<document name="${file.name.replace(/"/g, "'")}" type="${file.mimeType}">\n${text}${note}\n</document>`;
}

/**
 * A user message with its attachments as a model reads them: documents' text in delimited
 * blocks before the question, then images as `image_url` parts (data URLs).
 */
export async function promptContent(
  files: FilesRuntime,
  keyRing: KeyRing,
  attached: q.StoredFile[],
  question: string,
): Promise<string | PromptPart[]> {
  if (attached.length === 0) return question;
  const documents = attached.filter((f) => f.kind !== "image");
  const images = attached.filter((f) => f.kind === "image");
  const blocks = await Promise.all(documents.map((f) => documentBlock(files, keyRing, f)));
  // A message of files alone has no question after them.
  const text = [...blocks, question].filter(Boolean).join("\n\n");
  if (images.length === 0) return text;
  const urls = await Promise.all(images.map((f) => imageDataUrl(files, keyRing, f)));
  return [
    ...(text ? [{ type: "text" as const, text }] : []),
    ...urls.map((url) => ({ type: "image_url" as const, image_url: { url } })),
  ];
}

/**
 * What the files feature and chat both need about stored files: where they are, how they
 * are encrypted, and how they go away. Kept in core because chat (attachments in prompts,
 * deleting conversations) and files (upload, download) may not import each other.
 */
import { files as q, type Database } from "@parley/db";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
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
}

/** The variants stored beside a file, each encrypted under the file's data key: the
 * original, a thumbnail (images), the extracted text (PDF, DOCX) and the copy a model is
 * sent (images too large in pixels or bytes to send as they are). */
export type FileVariant = "original" | "thumb" | "text" | "model";

const VARIANTS: FileVariant[] = ["original", "thumb", "text", "model"];

export function storageKeyOf(userId: string, fileId: string): string {
  return `u/${userId}/${fileId}`;
}

export function variantKey(storageKey: string, variant: FileVariant): string {
  if (variant === "original") return storageKey;
  return `${storageKey}.${variant === "text" ? "txt" : variant}`;
}

/** Every key a file may have objects under, for deleting it whole. */
export function allVariantKeys(storageKey: string): string[] {
  return VARIANTS.map((variant) => variantKey(storageKey, variant));
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
  // A reader that stops early (it has read enough) closes the object too.
  plain.once("close", () => body.destroy());
  return body.pipe(plain);
}

function allVariants(storageKeys: string[]): string[] {
  return storageKeys.flatMap(allVariantKeys);
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
/** Largest image sent to a model as it is; a larger one goes as a smaller JPEG copy, made
 * when it is uploaded. What one image in a prompt may hold in memory. */
export const MODEL_IMAGE_BYTES = 4 * 1024 * 1024;

/** Whether an image is sent to models as its `model` copy rather than as itself. */
export function needsModelCopy(file: {
  size: number;
  width: number | null;
  height: number | null;
}): boolean {
  return (
    file.size > MODEL_IMAGE_BYTES ||
    (file.width ?? 0) > MODEL_IMAGE_PX ||
    (file.height ?? 0) > MODEL_IMAGE_PX
  );
}

/** An image as a model is sent it: at most MODEL_IMAGE_PX square, JPEG of at most
 * MODEL_IMAGE_BYTES (lower quality until it fits). */
export async function modelImageCopy(bytes: Buffer): Promise<Buffer> {
  const fitted = sharp(bytes, { limitInputPixels: 100_000_000 })
    .rotate()
    .resize(MODEL_IMAGE_PX, MODEL_IMAGE_PX, { fit: "inside", withoutEnlargement: true })
    .flatten({ background: "#ffffff" });
  for (const quality of [85, 70, 50]) {
    const copy = await fitted.clone().jpeg({ quality }).toBuffer();
    if (copy.length <= MODEL_IMAGE_BYTES) return copy;
  }
  return fitted.jpeg({ quality: 30 }).toBuffer();
}

export class TooLargeError extends Error {
  constructor(what: string, limit: number) {
    super(`${what} is larger than the ${limit} bytes it may be`);
    this.name = "TooLargeError";
  }
}

/** All of a stream, but never more than `maxBytes`: past that it stops reading and fails. */
export async function readAtMost(body: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      body.destroy();
      throw new TooLargeError(what, maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

/** The first `maxChars` characters of UTF-8 text, reading no further than it takes to know
 * whether there are more; `cut` says there were. */
export async function readTextPrefix(
  body: Readable,
  maxChars: number,
): Promise<{ text: string; cut: boolean }> {
  const decoder = new StringDecoder("utf8");
  let text = "";
  for await (const chunk of body as AsyncIterable<Buffer>) {
    text += decoder.write(chunk);
    if (text.length > maxChars) {
      // Leaving the loop early destroys the stream: the rest is never read or decrypted.
      return { text: text.slice(0, maxChars), cut: true };
    }
  }
  text += decoder.end();
  return text.length > maxChars
    ? { text: text.slice(0, maxChars), cut: true }
    : { text, cut: false };
}

export type PromptPart =
  { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

async function imageDataUrl(
  files: FilesRuntime,
  keyRing: KeyRing,
  file: q.StoredFile,
): Promise<string> {
  if (needsModelCopy(file)) {
    const copy = await readDecrypted(files.storage, keyRing, file, "model");
    if (copy) {
      const bytes = await readAtMost(copy, MODEL_IMAGE_BYTES, `the model copy of ${file.id}`);
      return `data:image/jpeg;base64,${bytes.toString("base64")}`;
    }
    // Uploaded before model copies were made: made now from the original, which is within
    // the upload limit.
    const original = await readDecrypted(files.storage, keyRing, file);
    if (!original) throw new Error(`file ${file.id} is missing from the store`);
    const bytes = await modelImageCopy(
      await readAtMost(original, files.maxBytes, `image ${file.id}`),
    );
    return `data:image/jpeg;base64,${bytes.toString("base64")}`;
  }
  const body = await readDecrypted(files.storage, keyRing, file);
  if (!body) throw new Error(`file ${file.id} is missing from the store`);
  const bytes = await readAtMost(body, MODEL_IMAGE_BYTES, `image ${file.id}`);
  return `data:${file.mimeType};base64,${bytes.toString("base64")}`;
}

async function documentBlock(
  files: FilesRuntime,
  keyRing: KeyRing,
  file: q.StoredFile,
): Promise<string> {
  // PDF and DOCX text was extracted once, at upload, and stored beside the file.
  const body = await readDecrypted(
    files.storage,
    keyRing,
    file,
    file.kind === "text" ? "original" : "text",
  );
  if (!body) throw new Error(`file ${file.id} is missing from the store`);
  const { text, cut } = await readTextPrefix(body, DOCUMENT_TEXT_LIMIT);
  const note = cut
    ? `\n[Parley cut this document here: only its first ${DOCUMENT_TEXT_LIMIT.toLocaleString("en")} characters are included.]`
    : "";
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

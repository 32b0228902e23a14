import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { files as q, type Database } from "@parley/db";
import type { AppDeps } from "../../core/context";
import { newDataKey } from "../../core/crypto";
import { DomainError } from "../../core/errors";
import {
  allVariantKeys,
  fileKeyContext,
  modelImageCopy,
  needsModelCopy,
  purgeFiles,
  putEncrypted,
  readDecrypted,
  storageKeyOf,
  variantKey,
  type FilesRuntime,
  type FileVariant,
} from "../../core/files";
import { describeImage, documentText } from "./derive";
import { byteLimit, typeCheck, UploadError } from "./inspect";
import type { ListFilesInput } from "./schemas";
import { ACCEPTED_DESCRIPTION, classify, servedType } from "./types";

/** What this feature reads of AppDeps. */
export type FilesDeps = Pick<AppDeps, "db" | "files" | "keyRing">;

export { UploadError } from "./inspect";

/** Uploads never attached to a message are deleted after this long. */
export const ABANDONED_UPLOAD_MS = 24 * 60 * 60 * 1000;

export interface FileInfo {
  id: string;
  name: string;
  size: number;
  mimeType: string;
  kind: q.StoredFile["kind"];
  width: number | null;
  height: number | null;
  createdAt: Date;
}

export function fileInfo(file: q.StoredFile): FileInfo {
  return {
    id: file.id,
    name: file.name,
    size: file.size,
    mimeType: file.mimeType,
    kind: file.kind,
    width: file.width,
    height: file.height,
    createdAt: file.createdAt,
  };
}

function runtimeOf(deps: FilesDeps): FilesRuntime {
  if (!deps.files)
    throw new UploadError(503, "File storage is not configured on this server", {
      code: "unavailable",
    });
  return deps.files;
}

/** Only the base name, printable, within the column; never used as a path. */
function cleanName(name: string): string {
  const base = [...(name.split(/[\\/]/).pop() ?? "")]
    .filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f)
    .join("")
    .trim();
  return base.slice(0, 255) || "file";
}

/** Pipes `source` through `stages`, so that an error anywhere fails the last stream. */
function chain(source: Readable, ...stages: NodeJS.ReadWriteStream[]): Readable {
  let current: Readable = source;
  for (const stage of stages) {
    const next = stage as unknown as Readable;
    current.once("error", (error) => next.destroy(error));
    current = current.pipe(next as unknown as NodeJS.WritableStream) as unknown as Readable;
  }
  return current;
}

/** What the file's derived variants hold, produced once the original is stored. */
async function deriveVariants(
  runtime: FilesRuntime,
  deps: FilesDeps,
  file: Pick<q.StoredFile, "userId" | "id" | "storageKey" | "wrappedKey" | "kind">,
  dataKey: Buffer,
): Promise<{ width: number | null; height: number | null }> {
  if (file.kind === "text") return { width: null, height: null };
  const original = await readDecrypted(runtime.storage, deps.keyRing, file);
  if (!original) throw new Error("the stored upload vanished");
  const bytes = await buffer(original);
  if (file.kind === "image") {
    const facts = await describeImage(bytes);
    await putEncrypted(
      runtime.storage,
      variantKey(file.storageKey, "thumb"),
      dataKey,
      Readable.from([facts.thumbnail]),
    );
    // Made once here, so a prompt never reads (or scales) the whole original.
    if (needsModelCopy({ size: bytes.length, width: facts.width, height: facts.height }))
      await putEncrypted(
        runtime.storage,
        variantKey(file.storageKey, "model"),
        dataKey,
        Readable.from([await modelImageCopy(bytes)]),
      );
    return { width: facts.width, height: facts.height };
  }
  const text = await documentText(file.kind, bytes);
  if (!text)
    throw new UploadError(400, "The document contains no text to read", { code: "unreadable" });
  await putEncrypted(
    runtime.storage,
    variantKey(file.storageKey, "text"),
    dataKey,
    Readable.from([Buffer.from(text, "utf8")]),
  );
  return { width: null, height: null };
}

/**
 * Streams one upload into the store, encrypted under a new data key: refused with 415 for a
 * type not accepted, 413 the moment it passes FILE_MAX_BYTES or what is left of the quota,
 * 400 when the bytes are not what was declared. Nothing is kept of a refused upload.
 */
export async function uploadFile(
  deps: FilesDeps,
  userId: string,
  upload: { name: string; declaredType: string; body: Readable },
): Promise<FileInfo> {
  const runtime = runtimeOf(deps);
  const classified = classify(upload.declaredType, upload.name);
  if (!classified)
    throw new UploadError(
      415,
      `Files of type ${upload.declaredType || "unknown"} are not accepted. Accepted: ${ACCEPTED_DESCRIPTION}`,
      { code: "unsupported_type" },
    );
  const leftBytes = Math.max(0, runtime.quotaBytes - (await q.usedBytes(deps.db, userId)));
  if (leftBytes === 0)
    throw new UploadError(413, "Your storage is full: 0 bytes of your quota remain", {
      code: "quota_exceeded",
      leftBytes: 0,
    });

  const id = randomUUID();
  const storageKey = storageKeyOf(userId, id);
  const { dataKey, wrappedKey, keyId } = newDataKey(deps.keyRing, fileKeyContext({ userId, id }));
  const limit = byteLimit({ maxBytes: runtime.maxBytes, leftBytes });
  const row = { id, userId, storageKey, wrappedKey, keyId, kind: classified.kind };
  try {
    await putEncrypted(
      runtime.storage,
      storageKey,
      dataKey,
      chain(upload.body, limit, typeCheck(classified, upload.declaredType)),
    );
    const facts = await deriveVariants(runtime, deps, row, dataKey);
    const file = await q.createFile(deps.db, {
      ...row,
      name: cleanName(upload.name),
      mimeType: classified.mimeType,
      size: limit.bytes(),
      ...facts,
    });
    return fileInfo(file);
  } catch (error) {
    await runtime.storage.delete(allVariantKeys(storageKey)).catch(() => {});
    throw error;
  } finally {
    dataKey.fill(0);
  }
}

const fileNotFound = () => new DomainError("NOT_FOUND", "File not found", { field: "id" });

export interface FileDownload {
  file: FileInfo;
  contentType: string;
  /** `inline` for images (shown in the app), `attachment` for everything else. */
  disposition: "inline" | "attachment";
  body: Readable;
}

/** The owner's file (or its thumbnail), decrypted as it streams; anyone else: NOT_FOUND. */
export async function downloadFile(
  deps: FilesDeps,
  userId: string,
  id: string,
  variant: Extract<FileVariant, "original" | "thumb">,
): Promise<FileDownload> {
  const runtime = runtimeOf(deps);
  const file = await q.findFile(deps.db, userId, id);
  if (!file || (variant === "thumb" && file.kind !== "image")) throw fileNotFound();
  const body = await readDecrypted(runtime.storage, deps.keyRing, file, variant);
  if (!body) throw fileNotFound();
  return {
    file: fileInfo(file),
    contentType: variant === "thumb" ? "image/webp" : servedType(file),
    disposition: file.kind === "image" ? "inline" : "attachment",
    body,
  };
}

export async function listFiles(deps: FilesDeps, userId: string, input: ListFilesInput) {
  const [page, usedBytes] = await Promise.all([
    q.listFiles(deps.db, userId, input),
    q.usedBytes(deps.db, userId),
  ]);
  return {
    items: page.items.map(fileInfo),
    nextCursor: page.nextCursor,
    usedBytes,
    quotaBytes: deps.files?.quotaBytes ?? 0,
    maxFileBytes: deps.files?.maxBytes ?? 0,
  };
}

export async function deleteFile(deps: FilesDeps, userId: string, id: string) {
  const runtime = deps.files;
  if (!runtime) throw fileNotFound();
  if ((await purgeFiles(deps.db, runtime.storage, userId, [id])) === 0) throw fileNotFound();
  return { id };
}

/** Deletes uploads never attached to a message within a day; returns how many went. */
export async function sweepAbandonedUploads(
  db: Database,
  runtime: FilesRuntime,
  now = new Date(),
): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = await q.abandonedUploads(db, new Date(now.getTime() - ABANDONED_UPLOAD_MS), 100);
    if (batch.length === 0) return removed;
    const byUser = new Map<string, string[]>();
    for (const { userId, id } of batch) byUser.set(userId, [...(byUser.get(userId) ?? []), id]);
    for (const [userId, ids] of byUser)
      removed += await purgeFiles(db, runtime.storage, userId, ids);
    if (batch.length < 100) return removed;
  }
}

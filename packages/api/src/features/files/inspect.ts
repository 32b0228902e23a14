import { isUtf8 } from "node:buffer";
import { fileTypeFromBuffer } from "file-type";
import { Transform, type TransformCallback } from "node:stream";
import type { Classified } from "./types";

/** Why an upload was refused, for clients to say so in their own language (the message
 * stays English, for logs and tools). */
export type UploadRefusal =
  | { code: "too_large"; limitBytes: number }
  | { code: "quota_exceeded"; leftBytes: number }
  | { code: "unsupported_type" }
  | { code: "type_mismatch" }
  | { code: "unreadable" }
  | { code: "bad_request" }
  | { code: "unavailable" };

/** An upload refused for what it is; the HTTP route answers with `status` and `refusal`. */
export class UploadError extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 503,
    message: string,
    readonly refusal: UploadRefusal,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

/** Enough bytes for file-type to recognise every accepted format. */
const SNIFF_BYTES = 4_100;

const formatBytes = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "")} MB`
    : bytes >= 1024
      ? `${Math.floor(bytes / 1024)} KB`
      : `${bytes} bytes`;

export { formatBytes };

/**
 * Counts bytes and fails the stream the moment `limit` is crossed (413), saying which limit:
 * the file size or what is left of the user's quota.
 */
export function byteLimit(limit: { maxBytes: number; leftBytes: number }): Transform & {
  bytes(): number;
} {
  let seen = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit.maxBytes)
        return callback(
          new UploadError(
            413,
            `The file is larger than the limit of ${formatBytes(limit.maxBytes)}`,
            { code: "too_large", limitBytes: limit.maxBytes },
          ),
        );
      if (seen > limit.leftBytes)
        return callback(
          new UploadError(
            413,
            `Not enough storage left: ${formatBytes(limit.leftBytes)} of your quota remain`,
            { code: "quota_exceeded", leftBytes: limit.leftBytes },
          ),
        );
      callback(null, chunk);
    },
  });
  return Object.assign(stream, { bytes: () => seen });
}

/** How many leading bytes end on a whole UTF-8 sequence: one the chunk's end cuts in two
 * waits for the next chunk. Invalid bytes count as whole, for isUtf8 to refuse. */
export function wholeSequencesLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/**
 * Holds the first bytes until it knows what they are, then lets the stream through only if
 * they match the declared type (400 otherwise); text must be UTF-8 without NUL bytes
 * throughout.
 */
export function typeCheck(expected: Classified, declaredType: string): Transform {
  let head: Buffer[] = [];
  let headBytes = 0;
  let checked = false;
  // The bytes of a UTF-8 sequence that the previous chunk cut off (at most 3).
  let carry: Buffer = Buffer.alloc(0);
  const refuse = (detail: string) =>
    new UploadError(
      400,
      `The file was sent as ${declaredType || "an unknown type"} but ${detail}`,
      { code: "type_mismatch" },
    );

  async function check(final: boolean): Promise<void> {
    const bytes = Buffer.concat(head);
    const sniffed = await fileTypeFromBuffer(bytes);
    if (expected.kind === "text") {
      if (sniffed) throw refuse(`its bytes are ${sniffed.mime}`);
      checkText(bytes, final);
      return;
    }
    if (!sniffed || !expected.signatures.includes(sniffed.ext))
      throw refuse(sniffed ? `its bytes are ${sniffed.mime}` : "its bytes are not that type");
  }

  function checkText(chunk: Buffer, final: boolean) {
    if (expected.kind !== "text") return;
    if (chunk.includes(0)) throw refuse("it is not text (it contains NUL bytes)");
    // Validated in place (no string is made of the bytes): a tenth of decoding's cost. A
    // sequence the previous chunk cut off is completed from this one's first bytes and
    // checked alone, so the chunk itself is never copied.
    let bytes = chunk;
    if (carry.length) {
      const lead = carry[0]!;
      const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
      const take = Math.min(length - carry.length, chunk.length);
      const joined = Buffer.concat([carry, chunk.subarray(0, take)]);
      bytes = chunk.subarray(take);
      if (joined.length < length && !final) {
        carry = joined;
        return;
      }
      if (!isUtf8(joined)) throw refuse("it is not UTF-8 text");
      carry = Buffer.alloc(0);
    }
    const whole = final ? bytes.length : wholeSequencesLength(bytes);
    if (!isUtf8(bytes.subarray(0, whole))) throw refuse("it is not UTF-8 text");
    carry = Buffer.from(bytes.subarray(whole));
  }

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (checked) {
        try {
          checkText(chunk, false);
        } catch (error) {
          return callback(error as Error);
        }
        return callback(null, chunk);
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < SNIFF_BYTES) return callback();
      checked = true;
      check(false).then(
        () => {
          const held = Buffer.concat(head);
          head = [];
          callback(null, held);
        },
        (error: Error) => callback(error),
      );
    },
    flush(callback: TransformCallback) {
      if (checked) {
        try {
          checkText(Buffer.alloc(0), true);
        } catch (error) {
          return callback(error as Error);
        }
        return callback();
      }
      if (headBytes === 0)
        return callback(new UploadError(400, "The file is empty", { code: "unreadable" }));
      check(true).then(
        () => callback(null, Buffer.concat(head)),
        (error: Error) => callback(error),
      );
    },
  });
}

/**
 * Streaming AES-256-GCM for objects of any size (files), under a data key from crypto.ts.
 * Kept apart from crypto.ts so the context type, which names KeyRing, does not pull stream
 * types into the declarations the typed client bundles.
 */
import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { ALGORITHM, DecryptionError, IV_BYTES, TAG_BYTES } from "./crypto";

/** Bytes a stream of `plaintextBytes` takes once encrypted by encryptStream. */
export function encryptedSize(plaintextBytes: number): number {
  return plaintextBytes + IV_BYTES + TAG_BYTES;
}

/** Encrypts a byte stream: writes the IV, the ciphertext as it comes, then the auth tag. */
export function encryptStream(dataKey: Buffer): Transform {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, dataKey, iv);
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!started) {
        started = true;
        this.push(iv);
      }
      callback(null, cipher.update(chunk));
    },
    flush(callback: TransformCallback) {
      if (!started) this.push(iv);
      this.push(cipher.final());
      callback(null, cipher.getAuthTag());
    },
  });
}

/**
 * Decrypts what encryptStream wrote. Plaintext flows out before the tag at the end is
 * checked, so a consumer must treat the stream's error (a tampered or truncated object, a
 * wrong key) as the failure of the whole read.
 */
export function decryptStream(dataKey: Buffer): Transform {
  let header = Buffer.alloc(0);
  let decipher: DecipherGCM | null = null;
  // The last TAG_BYTES seen so far may be the tag, so they are held back until more arrives.
  // Only those few bytes are ever copied: the rest of each chunk is deciphered in place.
  let held = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let data = chunk;
      if (!decipher) {
        header = Buffer.concat([header, data]);
        if (header.length < IV_BYTES) return callback();
        decipher = createDecipheriv(ALGORITHM, dataKey, header.subarray(0, IV_BYTES));
        data = header.subarray(IV_BYTES);
      }
      if (data.length < TAG_BYTES) {
        held = Buffer.concat([held, data]);
        if (held.length <= TAG_BYTES) return callback();
        const ready = held.subarray(0, held.length - TAG_BYTES);
        held = Buffer.from(held.subarray(held.length - TAG_BYTES));
        return callback(null, decipher.update(ready));
      }
      // `held` is all plaintext now (TAG_BYTES more follow it), and so is all of `data`
      // but its last TAG_BYTES.
      if (held.length) this.push(decipher.update(held));
      const ready = data.subarray(0, data.length - TAG_BYTES);
      held = Buffer.from(data.subarray(data.length - TAG_BYTES));
      callback(null, ready.length ? decipher.update(ready) : undefined);
    },
    flush(callback: TransformCallback) {
      if (!decipher || held.length < TAG_BYTES) {
        return callback(new DecryptionError("Encrypted object is truncated"));
      }
      decipher.setAuthTag(held);
      try {
        callback(null, decipher.final());
      } catch {
        callback(new DecryptionError());
      }
    },
  });
}

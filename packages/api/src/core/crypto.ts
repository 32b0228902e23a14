/**
 * The one key module for everything Parley encrypts at rest (files, TOTP secrets, OIDC and
 * provider keys). Envelope encryption: every object gets its own random AES-256-GCM data key,
 * and only that data key is encrypted ("wrapped") by the deployment's ENCRYPTION_KEY. A
 * rotation therefore re-wraps 32-byte data keys instead of re-encrypting every file.
 *
 * Every wrapped key and sealed secret names the id of the key that wrapped it, so after a
 * rotation ENCRYPTION_KEY_PREVIOUS still opens old objects until `keys:rotate` has re-wrapped
 * them. A context string (e.g. `file:<id>` or `totp:<userId>`) is bound as additional
 * authenticated data: a ciphertext copied into another row does not open there.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export const ALGORITHM = "aes-256-gcm";
const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const FORMAT = "v1";

/** A wrong key, a tampered ciphertext or one bound to another context. */
export class DecryptionError extends Error {
  constructor(message = "The data cannot be decrypted with the configured keys") {
    super(message);
    this.name = "DecryptionError";
  }
}

export interface KeyRing {
  /** Id of the key new objects are wrapped with. */
  readonly currentKeyId: string;
  /** Ids of every key that can still unwrap (current first). */
  readonly keyIds: readonly string[];
}

interface KeyRingInternals extends KeyRing {
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** Parses a base64 (or base64url) key and checks it is exactly 32 bytes. */
export function parseMasterKey(encoded: string): Buffer {
  const trimmed = encoded.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new Error("must be base64 (e.g. `openssl rand -base64 32`)");
  }
  const key = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (key.length !== KEY_BYTES) {
    throw new Error(`must decode to ${KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

/** A short, stable id for a key that reveals nothing about it. */
export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update("parley-key-id:").update(key).digest("hex").slice(0, 12);
}

export function createKeyRing(options: { current: string; previous?: readonly string[] }): KeyRing {
  const current = parseMasterKey(options.current);
  const keys = new Map<string, Buffer>([[keyIdOf(current), current]]);
  for (const encoded of options.previous ?? []) {
    const key = parseMasterKey(encoded);
    if (!keys.has(keyIdOf(key))) keys.set(keyIdOf(key), key);
  }
  const ring: KeyRingInternals = { currentKeyId: keyIdOf(current), keyIds: [...keys.keys()], keys };
  return ring;
}

/** A fresh random master key, base64: what the embedded default generates into DATA_DIR. */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

function keyOf(ring: KeyRing, keyId: string): Buffer {
  const key = (ring as KeyRingInternals).keys.get(keyId);
  if (!key) {
    throw new DecryptionError(
      `Encrypted with key ${keyId}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEY_PREVIOUS`,
    );
  }
  return key;
}

function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new DecryptionError("Ciphertext is truncated");
  const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new DecryptionError();
  }
}

function parseWrapped(wrappedKey: string): { keyId: string; body: Buffer } {
  const [format, keyId, body, extra] = wrappedKey.split(".");
  if (format !== FORMAT || !keyId || !body || extra !== undefined) {
    throw new DecryptionError("Not a wrapped data key");
  }
  return { keyId, body: Buffer.from(body, "base64url") };
}

export interface DataKey {
  /** The plaintext key: keep it in memory only, for as long as one object is read or written. */
  dataKey: Buffer;
  /** What to store beside the object: `v1.<keyId>.<wrapped key>`. */
  wrappedKey: string;
  keyId: string;
}

/** A new random data key for one object, wrapped under the current master key. */
export function newDataKey(ring: KeyRing, context: string): DataKey {
  const dataKey = randomBytes(KEY_BYTES);
  return { dataKey, ...wrapDataKey(ring, dataKey, context) };
}

function wrapDataKey(ring: KeyRing, dataKey: Buffer, context: string) {
  const keyId = ring.currentKeyId;
  const body = seal(keyOf(ring, keyId), dataKey, `dk:${context}`).toString("base64url");
  return { wrappedKey: `${FORMAT}.${keyId}.${body}`, keyId };
}

export function unwrapDataKey(ring: KeyRing, wrappedKey: string, context: string): Buffer {
  const { keyId, body } = parseWrapped(wrappedKey);
  return open(keyOf(ring, keyId), body, `dk:${context}`);
}

/** The same data key wrapped under the current master key (unchanged if it already is). */
export function rewrapDataKey(ring: KeyRing, wrappedKey: string, context: string): string {
  if (parseWrapped(wrappedKey).keyId === ring.currentKeyId) return wrappedKey;
  return wrapDataKey(ring, unwrapDataKey(ring, wrappedKey, context), context).wrappedKey;
}

/** The id of the master key an object (wrapped key or sealed secret) was wrapped with. */
export function wrappingKeyId(wrappedOrSealed: string): string {
  return parseWrapped(wrappedOrSealed.split("~")[0] ?? "").keyId;
}

/**
 * Encrypts a small secret (a TOTP seed, an API key of a provider) into one string for a text
 * column: `<wrapped data key>~<iv|ciphertext|tag>`.
 */
export function sealSecret(ring: KeyRing, plaintext: string, context: string): string {
  const { dataKey, wrappedKey } = newDataKey(ring, context);
  const body = seal(dataKey, Buffer.from(plaintext, "utf8"), `secret:${context}`);
  return `${wrappedKey}~${body.toString("base64url")}`;
}

export function openSecret(ring: KeyRing, sealed: string, context: string): string {
  const [wrappedKey, body, extra] = sealed.split("~");
  if (!wrappedKey || !body || extra !== undefined) throw new DecryptionError("Not a sealed secret");
  const dataKey = unwrapDataKey(ring, wrappedKey, context);
  return open(dataKey, Buffer.from(body, "base64url"), `secret:${context}`).toString("utf8");
}

/** A sealed secret whose data key is re-wrapped under the current master key. */
export function rewrapSecret(ring: KeyRing, sealed: string, context: string): string {
  const [wrappedKey, body] = sealed.split("~");
  if (!wrappedKey || !body) throw new DecryptionError("Not a sealed secret");
  return `${rewrapDataKey(ring, wrappedKey, context)}~${body}`;
}

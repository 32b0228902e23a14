import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import {
  createKeyRing,
  DecryptionError,
  generateMasterKey,
  newDataKey,
  openSecret,
  parseMasterKey,
  rewrapDataKey,
  rewrapSecret,
  sealSecret,
  unwrapDataKey,
  wrappingKeyId,
} from "./crypto";
import { decryptStream, encryptedSize, encryptStream } from "./crypto-streams";

const oldKey = generateMasterKey();
const newKey = generateMasterKey();

async function roundTrip(plaintext: Buffer, chunkSize: number, dataKey: Buffer) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < plaintext.length; i += chunkSize)
    chunks.push(plaintext.subarray(i, i + chunkSize));
  const encrypted = await buffer(Readable.from(chunks).pipe(encryptStream(dataKey)));
  const decrypted = await buffer(Readable.from([encrypted]).pipe(decryptStream(dataKey)));
  return { encrypted, decrypted };
}

describe("master keys", () => {
  it("accepts 32 bytes of base64 or base64url and refuses anything else", () => {
    expect(parseMasterKey(newKey)).toHaveLength(32);
    expect(parseMasterKey(Buffer.from(parseMasterKey(newKey)).toString("base64url"))).toEqual(
      parseMasterKey(newKey),
    );
    expect(() => parseMasterKey(randomBytes(16).toString("base64"))).toThrow(/32 bytes, got 16/);
    expect(() => parseMasterKey("not base64!")).toThrow(/base64/);
  });
});

describe("sealed secrets", () => {
  const ring = createKeyRing({ current: newKey });

  it("open with the same key and context, and never contain the plaintext", () => {
    const sealed = sealSecret(ring, "JBSWY3DPEHPK3PXP", "totp:user-1");
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
    expect(sealed).not.toContain(Buffer.from("JBSWY3DPEHPK3PXP").toString("base64url"));
    expect(openSecret(ring, sealed, "totp:user-1")).toBe("JBSWY3DPEHPK3PXP");
  });

  it("are different every time, so equal secrets cannot be spotted", () => {
    expect(sealSecret(ring, "same", "c")).not.toBe(sealSecret(ring, "same", "c"));
  });

  it("do not open in another context (a value copied into another row)", () => {
    const sealed = sealSecret(ring, "secret", "totp:user-1");
    expect(() => openSecret(ring, sealed, "totp:user-2")).toThrow(DecryptionError);
  });

  it("do not open with another key, and say which key is missing", () => {
    const sealed = sealSecret(ring, "secret", "c");
    const other = createKeyRing({ current: oldKey });
    expect(() => openSecret(other, sealed, "c")).toThrow(/neither ENCRYPTION_KEY nor/);
  });

  it("refuse tampering", () => {
    const sealed = sealSecret(ring, "secret", "c");
    const [wrapped, body] = sealed.split("~") as [string, string];
    const bytes = Buffer.from(body, "base64url");
    bytes[bytes.length - 20]! ^= 1;
    expect(() => openSecret(ring, `${wrapped}~${bytes.toString("base64url")}`, "c")).toThrow(
      DecryptionError,
    );
    expect(() => openSecret(ring, "garbage", "c")).toThrow(DecryptionError);
  });
});

describe("rotation", () => {
  it("keeps old objects readable through ENCRYPTION_KEY_PREVIOUS, and rewrap moves them to the new key", () => {
    const before = createKeyRing({ current: oldKey });
    const sealed = sealSecret(before, "provider-key", "provider:1");
    const file = newDataKey(before, "file:1");

    const after = createKeyRing({ current: newKey, previous: [oldKey] });
    expect(openSecret(after, sealed, "provider:1")).toBe("provider-key");
    expect(unwrapDataKey(after, file.wrappedKey, "file:1")).toEqual(file.dataKey);

    const resealed = rewrapSecret(after, sealed, "provider:1");
    const rewrapped = rewrapDataKey(after, file.wrappedKey, "file:1");
    expect(wrappingKeyId(resealed)).toBe(after.currentKeyId);
    expect(wrappingKeyId(rewrapped)).toBe(after.currentKeyId);
    expect(rewrapDataKey(after, rewrapped, "file:1")).toBe(rewrapped);

    const newOnly = createKeyRing({ current: newKey });
    expect(openSecret(newOnly, resealed, "provider:1")).toBe("provider-key");
    expect(unwrapDataKey(newOnly, rewrapped, "file:1")).toEqual(file.dataKey);
    expect(() => openSecret(newOnly, sealed, "provider:1")).toThrow(DecryptionError);
  });
});

describe("streams", () => {
  const { dataKey } = newDataKey(createKeyRing({ current: newKey }), "file:x");

  it.each([1, 7, 16, 17, 4096])("round-trip 20 kB in chunks of %i bytes", async (chunkSize) => {
    const plaintext = randomBytes(20_000);
    const { encrypted, decrypted } = await roundTrip(plaintext, chunkSize, dataKey);
    expect(encrypted).toHaveLength(encryptedSize(plaintext.length));
    expect(encrypted.includes(plaintext.subarray(0, 64))).toBe(false);
    expect(decrypted).toEqual(plaintext);
  });

  it("decrypt whatever chunk boundaries cut the IV, the ciphertext and the tag", async () => {
    const plaintext = randomBytes(5_000);
    const { encrypted } = await roundTrip(plaintext, 4096, dataKey);
    for (const size of [1, 3, 12, 15, 16, 17, 28, 29, 100, 4_999, 65_536]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < encrypted.length; i += size) chunks.push(encrypted.subarray(i, i + size));
      const decrypted = await buffer(Readable.from(chunks).pipe(decryptStream(dataKey)));
      expect(decrypted.equals(plaintext), `chunks of ${size}`).toBe(true);
    }
  });

  it("round-trip an empty object", async () => {
    const { encrypted, decrypted } = await roundTrip(Buffer.alloc(0), 1, dataKey);
    expect(encrypted).toHaveLength(encryptedSize(0));
    expect(decrypted).toHaveLength(0);
  });

  it("fail on a flipped bit, a truncated object or another key", async () => {
    const { encrypted } = await roundTrip(randomBytes(1000), 100, dataKey);
    const flipped = Buffer.from(encrypted);
    flipped[500]! ^= 1;
    const read = (bytes: Buffer, key = dataKey) =>
      pipeline(Readable.from([bytes]), decryptStream(key), async function* (source) {
        for await (const _ of source) yield;
      });
    await expect(read(flipped)).rejects.toThrow(DecryptionError);
    await expect(read(encrypted.subarray(0, encrypted.length - 1))).rejects.toThrow(
      DecryptionError,
    );
    await expect(read(encrypted.subarray(0, 5))).rejects.toThrow(/truncated/);
    await expect(read(encrypted, randomBytes(32))).rejects.toThrow(DecryptionError);
  });
});

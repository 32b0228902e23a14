import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createKeyRing,
  generateMasterKey,
  newDataKey,
  openProviderKey,
  openSecret,
  rotateKeys,
  unwrapDataKey,
  wrappingKeyId,
} from "../src";
import { createAuthTestContext, type AuthTestContext, type Registered } from "./support";

const keyA = generateMasterKey();
const keyB = generateMasterKey();

describe("keys:rotate", () => {
  let c: AuthTestContext;
  let user: Registered;
  let totpSecret: string;
  let apiKeySecret: string;
  let providerId: string;
  const providerKey = "sk-provider-key-for-rotation-0123456789";
  const fileId = randomUUID();
  let fileDataKey: Buffer;

  beforeAll(async () => {
    c = await createAuthTestContext();
    // Everything below is sealed under key A.
    c.deps.keyRing = createKeyRing({ current: keyA });
    user = await c.register("rotator");
    const api = (await c.caller({ token: user.accessToken })).api;
    totpSecret = (await api.twoFactor.begin()).secret;
    apiKeySecret = (await api.auth.apiKeys.create({ name: "rotation" })).secret;
    // The first account is an admin: it adds a model provider with a key.
    providerId = (
      await api.providers.create({
        name: "Rotated",
        baseUrl: "http://127.0.0.1:9/v1",
        apiKey: providerKey,
      })
    ).id;
    const key = newDataKey(c.deps.keyRing, `file:${user.id}:${fileId}`);
    fileDataKey = key.dataKey;
    await c.deps.db.prisma.file.create({
      data: {
        id: fileId,
        userId: user.id,
        name: "a.txt",
        mimeType: "text/plain",
        kind: "text",
        size: 1,
        storageKey: `test/${fileId}`,
        wrappedKey: key.wrappedKey,
        keyId: key.keyId,
      },
    });
  });
  afterAll(() => c?.cleanup());

  const rows = async () => ({
    file: (await c.deps.db.prisma.file.findFirstOrThrow({ where: { id: fileId } })).wrappedKey,
    totp: (await c.deps.db.prisma.totpCredential.findUniqueOrThrow({ where: { userId: user.id } }))
      .secretSealed,
    provider: (await c.deps.db.prisma.provider.findUniqueOrThrow({ where: { id: providerId } }))
      .apiKeySealed!,
  });

  it("re-wraps every sealed value under the new key, after which the old one can go", async () => {
    const ringA = createKeyRing({ current: keyA });
    const before = await rows();
    expect(wrappingKeyId(before.file)).toBe(ringA.currentKeyId);

    const rotating = createKeyRing({ current: keyB, previous: [keyA] });
    const reports = await rotateKeys(c.deps.db, rotating);
    expect(reports).toEqual([
      { column: "files.wrapped_key", rewrapped: 1, alreadyCurrent: 0 },
      { column: "totp_credentials.secret_sealed", rewrapped: 1, alreadyCurrent: 0 },
      { column: "providers.api_key_sealed", rewrapped: 1, alreadyCurrent: 0 },
    ]);
    // Run again: nothing left under the old key.
    expect((await rotateKeys(c.deps.db, rotating)).map((r) => r.rewrapped)).toEqual([0, 0, 0]);

    // Key A dropped: everything still opens with B alone, and no longer with A.
    const onlyB = createKeyRing({ current: keyB });
    const after = await rows();
    expect(unwrapDataKey(onlyB, after.file, `file:${user.id}:${fileId}`)).toEqual(fileDataKey);
    expect(openSecret(onlyB, after.totp, `totp:${user.id}`)).toBe(totpSecret);
    expect(() => openSecret(ringA, after.totp, `totp:${user.id}`)).toThrow();
    expect(openProviderKey(onlyB, providerId, after.provider)).toBe(providerKey);
    expect(() => openProviderKey(ringA, providerId, after.provider)).toThrow();
    const file = await c.deps.db.prisma.file.findFirstOrThrow({ where: { id: fileId } });
    expect(file.keyId).toBe(onlyB.currentKeyId);
  });

  it("leaves no secret in plaintext in the database rows", async () => {
    const dump = async (table: string) =>
      JSON.stringify(
        await c.deps.db.prisma.$queryRawUnsafe(`SELECT * FROM ${table}`),
        (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value),
      );
    const everything = (
      await Promise.all(
        [
          "users",
          "sessions",
          "rotated_tokens",
          "api_keys",
          "totp_credentials",
          "files",
          "providers",
        ].map(dump),
      )
    ).join("\n");
    expect(everything).toContain(user.id);
    expect(everything).toContain(providerId);
    for (const secret of [
      totpSecret,
      apiKeySecret,
      apiKeySecret.slice(-20),
      user.refreshToken,
      user.password,
      fileDataKey.toString("base64"),
      fileDataKey.toString("hex"),
      providerKey,
      providerKey.slice(-20),
    ]) {
      expect(everything.includes(secret), `${secret.slice(0, 4)}… stored in plaintext`).toBe(false);
    }
  });
});

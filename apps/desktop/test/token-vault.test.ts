import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTokenVault, type SafeStorageLike } from "../src/main/token-vault";

// Electron's safeStorage needs the binary and an OS keychain, neither of which exists here:
// this stand-in "encrypts" reversibly so the vault's own logic (what it refuses, what it
// writes, what survives a restart) is tested against a real file.
function fakeSafeStorage(opts: { backend?: string; available?: boolean } = {}) {
  return {
    isEncryptionAvailable: vi.fn(() => opts.available ?? true),
    getSelectedStorageBackend: vi.fn(() => opts.backend ?? "gnome_libsecret"),
    encryptString: vi.fn((plain: string) =>
      Buffer.from(`enc:${Buffer.from(plain).reverse().toString("base64")}`),
    ),
    decryptString: vi.fn((encrypted: Buffer) => {
      const text = encrypted.toString();
      if (!text.startsWith("enc:"))
        throw new Error(
          "Error while decrypting the ciphertext provided to safeStorage.decryptString.",
        );
      return Buffer.from(text.slice(4), "base64").reverse().toString();
    }),
  } satisfies SafeStorageLike;
}

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "parley-vault-"));
  file = path.join(dir, "refresh-token.bin");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("refresh token storage", () => {
  it("keeps the token encrypted on disk and finds it after a restart", async () => {
    const safeStorage = fakeSafeStorage();
    const vault = createTokenVault({ safeStorage, platform: "linux", file });
    expect(await vault.set("refresh-abc")).toEqual({ persistent: true, reason: null });
    const onDisk = await readFile(file, "utf8");
    expect(onDisk).not.toContain("refresh-abc");

    const afterRestart = createTokenVault({ safeStorage, platform: "linux", file });
    expect(await afterRestart.get()).toBe("refresh-abc");
    await afterRestart.set(null);
    expect(existsSync(file)).toBe(false);
    expect(await createTokenVault({ safeStorage, platform: "linux", file }).get()).toBeNull();
  });

  it("refuses to store when Linux offers only the basic_text backend", async () => {
    const safeStorage = fakeSafeStorage({ backend: "basic_text", available: true });
    const vault = createTokenVault({ safeStorage, platform: "linux", file });
    const info = await vault.set("refresh-abc");
    expect(info.persistent).toBe(false);
    expect(info.reason).toMatch(/sign in each time/);
    expect(safeStorage.encryptString).not.toHaveBeenCalled();
    expect(existsSync(file)).toBe(false);
    // This run keeps working from memory; the next start has nothing and asks to sign in.
    expect(await vault.get()).toBe("refresh-abc");
    expect(await createTokenVault({ safeStorage, platform: "linux", file }).get()).toBeNull();
  });

  it("refuses to store when encryption is unavailable, on any OS", async () => {
    for (const platform of ["darwin", "win32", "linux"]) {
      const safeStorage = fakeSafeStorage({ available: false });
      const vault = createTokenVault({ safeStorage, platform, file });
      expect((await vault.set("t")).persistent).toBe(false);
      expect(existsSync(file)).toBe(false);
      expect(safeStorage.encryptString).not.toHaveBeenCalled();
    }
  });

  it("does not read a token saved earlier once the keychain is gone", async () => {
    await createTokenVault({ safeStorage: fakeSafeStorage(), platform: "linux", file }).set("old");
    expect(existsSync(file)).toBe(true);
    const plain = fakeSafeStorage({ backend: "basic_text" });
    const vault = createTokenVault({ safeStorage: plain, platform: "linux", file });
    expect(await vault.get()).toBeNull();
    expect(plain.decryptString).not.toHaveBeenCalled();
    await vault.set("new");
    expect(existsSync(file)).toBe(false);
  });

  it("forgets a token it can no longer decrypt", async () => {
    await writeFile(file, "written by another keychain");
    const vault = createTokenVault({ safeStorage: fakeSafeStorage(), platform: "darwin", file });
    expect(await vault.get()).toBeNull();
    expect(existsSync(file)).toBe(false);
  });

  it("asks macOS and Windows only whether encryption is available (no backend API there)", async () => {
    const safeStorage = fakeSafeStorage({ backend: "basic_text" });
    const vault = createTokenVault({ safeStorage, platform: "darwin", file });
    expect(vault.storageInfo()).toEqual({ persistent: true, reason: null });
    expect(safeStorage.getSelectedStorageBackend).not.toHaveBeenCalled();
  });
});

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TokenStorageInfo } from "../shared/ipc";

/** The part of Electron's `safeStorage` the vault uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only in Electron; undefined elsewhere. */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface TokenVault {
  storageInfo(): TokenStorageInfo;
  get(): Promise<string | null>;
  set(token: string | null): Promise<TokenStorageInfo>;
}

/**
 * Keeps the refresh token (the session's long-lived secret) encrypted by the OS keychain.
 * Where Electron can only offer `basic_text` (Linux without GNOME Keyring or KWallet), the
 * "encryption" is a hard-coded key, so the token is kept in memory for this run only and
 * the next start asks to sign in. Must be created after the app's `ready` event: before
 * it, Linux reports no backend at all.
 */
export function createTokenVault(opts: {
  safeStorage: SafeStorageLike;
  platform: string;
  file: string;
}): TokenVault {
  const { safeStorage, platform, file } = opts;
  // Memory copy for this run: spares a keychain prompt per refresh, and is the only copy
  // when storage is refused.
  let memory: string | null | undefined;

  const storageInfo = (): TokenStorageInfo => {
    if (platform === "linux") {
      const backend = safeStorage.getSelectedStorageBackend?.() ?? "unknown";
      if (backend === "basic_text" || backend === "unknown") {
        return {
          persistent: false,
          reason:
            "No system keychain (GNOME Keyring or KWallet) is available, so Parley does not save your sign-in: you will be asked to sign in each time it starts.",
        };
      }
    }
    if (!safeStorage.isEncryptionAvailable()) {
      return {
        persistent: false,
        reason:
          "The system keychain is not available, so Parley does not save your sign-in: you will be asked to sign in each time it starts.",
      };
    }
    return { persistent: true, reason: null };
  };

  return {
    storageInfo,
    async get() {
      if (memory !== undefined) return memory;
      if (!storageInfo().persistent) return null;
      let encrypted: Buffer;
      try {
        encrypted = await readFile(file);
      } catch {
        return null;
      }
      try {
        memory = safeStorage.decryptString(encrypted);
        return memory;
      } catch {
        // Written under another OS account or keychain: useless, so forget it.
        await rm(file, { force: true });
        return null;
      }
    },
    async set(token) {
      memory = token;
      const info = storageInfo();
      if (token === null || !info.persistent) {
        // Also drops a token saved while a keychain was still available.
        await rm(file, { force: true });
        return info;
      }
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, safeStorage.encryptString(token), { mode: 0o600 });
      return info;
    },
  };
}

import { mkdirSync, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { normalizeServerUrl } from "../shared/server-url";
import { parseWindowBounds, type WindowBounds } from "./window-state";

/** What the desktop app remembers between runs (never a token: see token-vault.ts). */
export interface DesktopSettings {
  serverUrl: string | null;
  windowBounds: WindowBounds | null;
}

export interface SettingsStore {
  get(): DesktopSettings;
  update(patch: Partial<DesktopSettings>): Promise<void>;
}

/**
 * A small JSON file in the user-data folder. Read once at start (a damaged file means
 * defaults, not a crash); writes go to a temporary file renamed over the old one, so a
 * crash mid-write never leaves half a file, and run one after another.
 */
export function createSettingsStore(file: string): SettingsStore {
  let current = readSettings(file);
  let writing: Promise<void> = Promise.resolve();
  return {
    get: () => current,
    update(patch) {
      current = { ...current, ...patch };
      const snapshot = JSON.stringify(current, null, 2);
      // A failed write is reported to its caller but must not block the ones after it.
      writing = writing
        .catch(() => {})
        .then(async () => {
          mkdirSync(path.dirname(file), { recursive: true });
          const tmp = `${file}.${process.pid}.tmp`;
          await writeFile(tmp, snapshot, { mode: 0o600 });
          await rename(tmp, file);
        });
      return writing;
    },
  };
}

function readSettings(file: string): DesktopSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return { serverUrl: null, windowBounds: null };
  }
  const data = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const server = typeof data.serverUrl === "string" ? normalizeServerUrl(data.serverUrl) : null;
  return {
    serverUrl: server?.ok ? server.url : null,
    windowBounds: parseWindowBounds(data.windowBounds),
  };
}

import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { assertKey, type ObjectStorage } from "./types";

const PARTIAL = ".partial-";
/** Bytes queued for the disk while a write is in flight: the upload keeps flowing from the
 * socket meanwhile, and what queued goes out in one writev (16 KB, the default, waits on the
 * disk for every socket read). */
const WRITE_BUFFER_BYTES = 1024 * 1024;
/** Bytes read from the disk at a time. Each chunk costs a decipher call and a trip through
 * the response's streams; at 1 MB instead of 64 KB a 20 MB download reads and decrypts in a
 * third of the time (measured: 50 ms → 14 ms). */
const READ_CHUNK_BYTES = 1024 * 1024;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/** Files under one folder; a write goes to a temporary name and is renamed into place when
 * complete, so readers never see half an object and a failed write leaves nothing. */
export function createLocalStorage(directory: string): ObjectStorage {
  const pathOf = (key: string) => {
    assertKey(key);
    return join(directory, ...key.split("/"));
  };
  return {
    kind: "local",
    async put(key, body) {
      const path = pathOf(key);
      // The body may fail while the folder is made; pipeline then reports that stored error,
      // and this listener keeps it from being an uncaught 'error' event meanwhile.
      body.on("error", () => {});
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}${PARTIAL}${randomBytes(6).toString("hex")}`;
      const file = createWriteStream(partial, { flags: "wx", highWaterMark: WRITE_BUFFER_BYTES });
      let size = 0;
      try {
        await pipeline(body, file);
        size = file.bytesWritten;
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      return { size };
    },
    async get(key) {
      try {
        const handle = await open(pathOf(key), "r");
        return handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async head(key) {
      try {
        const info = await stat(pathOf(key));
        return { size: info.size };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async delete(keys) {
      await Promise.all(keys.map((key) => rm(pathOf(key), { force: true })));
    },
    async list(prefix) {
      let entries: string[];
      try {
        entries = await readdir(directory, { recursive: true });
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
      const keys: string[] = [];
      for (const entry of entries) {
        if (entry.includes(PARTIAL)) continue;
        const key = relative(directory, join(directory, entry)).split(sep).join("/");
        if (!key.startsWith(prefix)) continue;
        const info = await stat(join(directory, entry)).catch(() => null);
        if (info?.isFile()) keys.push(key);
      }
      return keys.sort();
    },
  };
}

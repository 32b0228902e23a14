import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { startS3rver, type TestS3 } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStorage, createS3Storage, type ObjectStorage } from "./index";

type Implementation = {
  name: string;
  start(): Promise<ObjectStorage>;
  stop(): Promise<void>;
};

function localImplementation(): Implementation {
  let directory = "";
  return {
    name: "local disk",
    async start() {
      directory = await mkdtemp(join(tmpdir(), "parley-storage-"));
      return createLocalStorage(join(directory, "files"));
    },
    async stop() {
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function s3Implementation(): Implementation {
  let s3: TestS3 | undefined;
  return {
    name: "S3 (s3rver)",
    async start() {
      s3 = await startS3rver();
      return createS3Storage(s3.config);
    },
    async stop() {
      await s3?.close();
    },
  };
}

/** A stream that yields `bytes` in 64 KiB chunks and then fails, as a dropped upload does. */
function failingAfter(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.destroy(new Error("client went away"));
        return;
      }
      const chunk = randomBytes(Math.min(65_536, bytes - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

// One contract, both implementations: the embedded default must behave like the bucket.
for (const impl of [localImplementation(), s3Implementation()]) {
  describe(`object storage contract (${impl.name})`, () => {
    let storage: ObjectStorage;
    beforeAll(async () => {
      storage = await impl.start();
    });
    afterAll(() => impl.stop());

    it("stores a stream and gives the same bytes back", async () => {
      const data = randomBytes(200_000);
      expect(await storage.put("u/alice/small", Readable.from([data]))).toEqual({ size: 200_000 });
      expect(await storage.head("u/alice/small")).toEqual({ size: 200_000 });
      expect(sha(await buffer((await storage.get("u/alice/small"))!))).toBe(sha(data));
    });

    it("streams an object larger than one multipart part", async () => {
      const data = randomBytes(12 * 1024 * 1024 + 123);
      const chunks = Array.from({ length: Math.ceil(data.length / 65_536) }, (_, i) =>
        data.subarray(i * 65_536, (i + 1) * 65_536),
      );
      expect(await storage.put("u/alice/large", Readable.from(chunks))).toEqual({
        size: data.length,
      });
      expect(sha(await buffer((await storage.get("u/alice/large"))!))).toBe(sha(data));
    });

    it("answers null for a missing key", async () => {
      expect(await storage.get("u/nobody/missing")).toBeNull();
      expect(await storage.head("u/nobody/missing")).toBeNull();
    });

    it("overwrites a key", async () => {
      await storage.put("u/alice/again", Readable.from([Buffer.from("first")]));
      await storage.put("u/alice/again", Readable.from([Buffer.from("second")]));
      expect((await buffer((await storage.get("u/alice/again"))!)).toString()).toBe("second");
    });

    it("leaves nothing behind when the body fails midway", async () => {
      await expect(storage.put("u/alice/broken-small", failingAfter(100_000))).rejects.toThrow(
        "client went away",
      );
      await expect(
        storage.put("u/alice/broken-large", failingAfter(7 * 1024 * 1024)),
      ).rejects.toThrow("client went away");
      expect(await storage.head("u/alice/broken-small")).toBeNull();
      expect(await storage.head("u/alice/broken-large")).toBeNull();
      expect(await storage.list("u/alice/broken")).toEqual([]);
    });

    it("lists by prefix and deletes, missing keys included", async () => {
      await storage.put("u/bob/one", Readable.from([Buffer.from("1")]));
      await storage.put("u/bob/two.thumb", Readable.from([Buffer.from("2")]));
      await storage.put("u/bobby/three", Readable.from([Buffer.from("3")]));
      expect(await storage.list("u/bob/")).toEqual(["u/bob/one", "u/bob/two.thumb"]);
      await storage.delete(["u/bob/one", "u/bob/two.thumb", "u/bob/never-there"]);
      expect(await storage.list("u/bob/")).toEqual([]);
      expect(await storage.get("u/bob/one")).toBeNull();
      expect(await storage.list("u/bobby/")).toEqual(["u/bobby/three"]);
      await storage.delete(["u/bob/one"]);
    });

    it("refuses keys that could escape the store", async () => {
      for (const key of ["../etc/passwd", "u/../../x", "/abs", "u//x", "u/a b"]) {
        await expect(storage.head(key)).rejects.toThrow("invalid storage key");
      }
    });
  });
}

describe("local disk storage", () => {
  it("keeps no temporary file after a failed write", async () => {
    const directory = await mkdtemp(join(tmpdir(), "parley-storage-"));
    try {
      const storage = createLocalStorage(directory);
      await expect(storage.put("u/carol/x", failingAfter(300_000))).rejects.toThrow();
      expect(await readdir(join(directory, "u", "carol"))).toEqual([]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

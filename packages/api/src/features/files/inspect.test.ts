import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { typeCheck, UploadError, wholeSequencesLength } from "./inspect";
import { classify } from "./types";

/** Sends `bytes` through the text check in chunks of `size` bytes. */
async function checkInChunks(bytes: Buffer, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  const checked = Readable.from(chunks).pipe(
    typeCheck(classify("text/plain", "a.txt")!, "text/plain"),
  );
  return buffer(checked);
}

describe("the text check", () => {
  // Long enough to pass the sniffing window (4,100 bytes), with every sequence length.
  const text = Buffer.from(`${"Grüße, мир, 漢字, 🙂 ".repeat(400)}end`, "utf8");

  it("passes UTF-8 whatever chunk boundary cuts its characters", async () => {
    for (const size of [1, 2, 3, 5, 7, 4096, 65536])
      expect((await checkInChunks(text, size)).equals(text), `chunks of ${size}`).toBe(true);
  });

  it("refuses bytes that are not UTF-8, even a sequence cut off at the very end", async () => {
    const invalid = Buffer.concat([text, Buffer.from([0xc3, 0x28]), text]);
    await expect(checkInChunks(invalid, 7)).rejects.toThrow(/not UTF-8 text/);
    const truncated = Buffer.concat([text, Buffer.from([0xf0, 0x9f, 0x99])]);
    const error = await checkInChunks(truncated, 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).refusal).toEqual({ code: "type_mismatch" });
  });

  it("counts a sequence cut by the chunk's end as waiting for the next chunk", () => {
    const smile = Buffer.from("🙂", "utf8");
    expect(wholeSequencesLength(Buffer.from("ab"))).toBe(2);
    expect(wholeSequencesLength(Buffer.concat([Buffer.from("a"), smile.subarray(0, 3)]))).toBe(1);
    expect(wholeSequencesLength(Buffer.concat([Buffer.from("a"), smile]))).toBe(5);
    expect(wholeSequencesLength(Buffer.from("é", "utf8").subarray(0, 1))).toBe(0);
  });
});

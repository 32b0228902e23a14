import { createRequire } from "node:module";
import sharp from "sharp";
import { extractText } from "unpdf";
import type { FileKind } from "@parley/db";
import { UploadError } from "./inspect";

// mammoth ships no types; this is the one call used.
const mammoth = createRequire(import.meta.url)("mammoth") as {
  extractRawText(input: { buffer: Buffer }): Promise<{ value: string }>;
};

/** Thumbnails fit in this square; they are what the composer and messages show. */
const THUMB_PX = 320;

export interface ImageFacts {
  width: number;
  height: number;
  thumbnail: Buffer;
}

/** Dimensions and a WebP thumbnail; a file that only looks like an image fails here (400). */
export async function describeImage(bytes: Buffer): Promise<ImageFacts> {
  try {
    const image = sharp(bytes, { animated: false, limitInputPixels: 100_000_000 });
    const meta = await image.metadata();
    const thumbnail = await image
      .rotate()
      .resize(THUMB_PX, THUMB_PX, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return { width: meta.width ?? 0, height: meta.height ?? 0, thumbnail };
  } catch {
    throw new UploadError(400, "The image cannot be read (it is damaged or not a real image)", {
      code: "unreadable",
    });
  }
}

/** The text of a PDF or DOCX, what the model reads; a document with none fails (400). */
export async function documentText(kind: FileKind, bytes: Buffer): Promise<string> {
  let text: string;
  try {
    if (kind === "pdf") {
      text = (await extractText(new Uint8Array(bytes), { mergePages: true })).text;
    } else {
      text = (await mammoth.extractRawText({ buffer: bytes })).value;
    }
  } catch {
    throw new UploadError(
      400,
      `The ${kind.toUpperCase()} file cannot be read (it is damaged or protected)`,
      { code: "unreadable" },
    );
  }
  return text.replace(/\r\n/g, "\n").trim();
}

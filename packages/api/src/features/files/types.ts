import type { FileKind } from "@parley/db";

/** What the declared type and name of an upload make of it, before the bytes are checked. */
export interface Classified {
  kind: FileKind;
  /** The type stored and served (for text: the declared one, normalised). */
  mimeType: string;
  /** file-type's names the bytes must sniff as; empty for text (no signature, UTF-8). */
  signatures: string[];
}

const IMAGE_TYPES: Record<string, { mime: string; signatures: string[] }> = {
  "image/png": { mime: "image/png", signatures: ["png"] },
  "image/jpeg": { mime: "image/jpeg", signatures: ["jpg"] },
  "image/jpg": { mime: "image/jpeg", signatures: ["jpg"] },
  "image/webp": { mime: "image/webp", signatures: ["webp"] },
  "image/gif": { mime: "image/gif", signatures: ["gif"] },
};

export const DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const TEXT_APPLICATION_TYPES = new Set([
  "application/json",
  "application/ld+json",
  "application/javascript",
  "application/x-javascript",
  "application/typescript",
  "application/x-typescript",
  "application/xml",
  "application/yaml",
  "application/x-yaml",
  "application/toml",
  "application/sql",
  "application/x-sh",
  "application/x-httpd-php",
  "application/graphql",
]);

/** Extensions of text and source files, for when a browser sends no useful type (a `.ts`
 * file arrives as video/mp2t, a `.go` file as application/octet-stream or nothing). */
const TEXT_EXTENSIONS = new Set(
  (
    "txt md markdown csv tsv json jsonl yaml yml toml ini cfg conf log xml html htm css scss " +
    "less js mjs cjs jsx ts tsx mts cts py rb go rs java kt kts scala c h cc cpp cxx hpp cs " +
    "swift m mm php pl pm lua r sql sh bash zsh fish ps1 bat dart ex exs erl hs clj elm vue " +
    "svelte graphql gql proto tf dockerfile makefile gradle env gitignore tex rst adoc"
  ).split(" "),
);

const UNTYPED = new Set(["", "application/octet-stream", "video/mp2t", "application/x-unknown"]);

export const ACCEPTED_DESCRIPTION =
  "PNG, JPEG, WebP or GIF images; plain text, Markdown, CSV, JSON or source code; PDF; DOCX";

function extensionOf(name: string): string {
  const base = name.toLowerCase().split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1) : base;
}

/** Null when the type is not accepted (415). */
export function classify(declaredType: string, name: string): Classified | null {
  const declared = declaredType.split(";")[0]!.trim().toLowerCase();
  const image = IMAGE_TYPES[declared];
  if (image) return { kind: "image", mimeType: image.mime, signatures: image.signatures };
  if (declared === "application/pdf")
    return { kind: "pdf", mimeType: declared, signatures: ["pdf"] };
  if (declared === DOCX_MIME)
    // A DOCX is a zip; file-type names it docx only when the parts it looks for come first.
    return { kind: "docx", mimeType: declared, signatures: ["docx", "zip"] };
  if (declared.startsWith("text/") || TEXT_APPLICATION_TYPES.has(declared))
    return { kind: "text", mimeType: declared, signatures: [] };
  if (UNTYPED.has(declared) && TEXT_EXTENSIONS.has(extensionOf(name)))
    return { kind: "text", mimeType: "text/plain", signatures: [] };
  return null;
}

/** What the browser is told a file is: for text always plain text, so nothing uploaded as
 * text (HTML, SVG, scripts) can run in the app's origin. */
export function servedType(file: { kind: FileKind; mimeType: string }): string {
  return file.kind === "text" ? "text/plain; charset=utf-8" : file.mimeType;
}

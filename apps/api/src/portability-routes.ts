import { Readable } from "node:stream";
import {
  accountFiles,
  accountSummary,
  DomainError,
  downloadFile,
  exportHistory,
  importHistory,
  importLimits,
  toDomainError,
  type AppDeps,
} from "@parley/api";
import { ZipArchive } from "archiver";
import type { Context, Hono } from "hono";
import { contentDisposition } from "./files-routes";
import type { Logger } from "./logging";
import { callerWithScope, problem } from "./route-caller";

class TooLarge extends Error {}

/** The body as text, refused as soon as it passes `limit` bytes (the rest is never read). */
async function readText(c: Context, limit: number): Promise<string> {
  const body = c.req.raw.body;
  if (!body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
}

/** Writes the account's archive: account.json, conversations.json, then every file. */
async function writeArchive(deps: AppDeps, userId: string, archive: ZipArchive): Promise<void> {
  // A download cancelled midway closes the archive: stop there instead of waiting forever.
  const closed = new Promise<never>((_, reject) =>
    archive.once("close", () => reject(new Error("the archive was closed"))),
  );
  closed.catch(() => {});
  const written = () =>
    Promise.race([new Promise<void>((resolve) => archive.once("entry", () => resolve())), closed]);
  let done = written();
  archive.append(JSON.stringify(await accountSummary(deps, userId), null, 2), {
    name: "account.json",
  });
  await done;
  done = written();
  archive.append(Readable.from(exportHistory(deps, userId)), { name: "conversations.json" });
  await done;
  // One file at a time: only one object-store download is open at once.
  for await (const file of deps.files ? accountFiles(deps, userId) : []) {
    let body: Readable;
    try {
      body = (await downloadFile(deps, userId, file.id, "original")).body;
    } catch (error) {
      // A file deleted meanwhile is simply not in the archive.
      if (error instanceof DomainError && error.code === "NOT_FOUND") continue;
      throw error;
    }
    done = written();
    archive.append(body, { name: file.path, date: new Date() });
    await done;
  }
  await archive.finalize();
}

/**
 * POST /api/import: a ChatGPT conversations.json or a Parley export as the body, imported
 * as new conversations of the caller, all or nothing. GET /api/export: the caller's archive.
 */
export function mountPortabilityRoutes(
  app: Hono,
  deps: AppDeps,
  logger: Logger,
  options: { importMaxBytes?: number | undefined } = {},
): void {
  const importMaxBytes = options.importMaxBytes ?? importLimits.bytes;
  const limitText =
    importMaxBytes >= 1024 * 1024
      ? `${Math.round(importMaxBytes / 1024 / 1024)} MB`
      : `${Math.round(importMaxBytes / 1024)} KB`;
  app.post("/api/import", async (c) => {
    const user = await callerWithScope(deps, c, "chat");
    if (user instanceof Response) return user;
    const tooLarge = () => {
      c.header("Connection", "close");
      return problem(c, 413, `The file is larger than the import limit of ${limitText}`, {
        code: "too_large",
        limitBytes: importMaxBytes,
      });
    };
    if (Number(c.req.header("content-length") ?? 0) > importMaxBytes) return tooLarge();
    let text: string;
    try {
      text = await readText(c, importMaxBytes);
    } catch (error) {
      if (error instanceof TooLarge) return tooLarge();
      return problem(c, 400, "The file is not UTF-8 text", { code: "bad_request" });
    }
    try {
      return c.json(await importHistory(deps, user.id, text), 201);
    } catch (error) {
      const known = toDomainError(error);
      if (known?.code === "BAD_REQUEST")
        return problem(c, 400, known.message, { code: "bad_file" });
      if (known?.code === "SERVICE_UNAVAILABLE") return problem(c, 503, known.message);
      logger.error({ err: error }, "import failed");
      return problem(c, 500, "Internal server error", {
        requestId: c.res.headers.get("x-request-id") ?? undefined,
      });
    }
  });

  /** GET /api/export: everything of the caller's account as one zip, streamed. */
  app.get("/api/export", async (c) => {
    const user = await callerWithScope(deps, c, "read");
    if (user instanceof Response) return user;
    const archive = new ZipArchive({ zlib: { level: 6 } });
    writeArchive(deps, user.id, archive).catch((error: unknown) => {
      if (!archive.destroyed) {
        logger.error({ err: error }, "account export failed");
        archive.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    });
    const name = `parley-export-${new Date().toISOString().slice(0, 10)}.zip`;
    return new Response(Readable.toWeb(archive) as ReadableStream, {
      status: 200,
      headers: {
        "Content-Type": "application/zip",
        "Content-Disposition": contentDisposition("attachment", name),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  });
}

import { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import {
  DomainError,
  downloadFile,
  uploadFile,
  UploadError,
  type AppDeps,
  type FileInfo,
} from "@parley/api";
import busboy from "busboy";
import type { Context, Hono } from "hono";
import { requestIdOf, type Logger } from "./logging";
import { callerWithScope, problem } from "./route-caller";

/** Room for the multipart framing around the file (boundaries, part headers). */
const MULTIPART_OVERHEAD = 64 * 1024;

/** Bytes the multipart parser and the file part buffer: a few socket reads, so the disk
 * write of one chunk overlaps the arrival of the next (16 KB, the default, stalls the socket
 * on every write). Ten concurrent uploads hold a few megabytes in all. */
const UPLOAD_BUFFER_BYTES = 256 * 1024;

/**
 * The request body as a Node stream. On the Node server that is the IncomingMessage itself:
 * read straight from the socket, without the web ReadableStream Hono would wrap around it
 * and the Node stream made back from that (two adapters and a promise per chunk). Elsewhere
 * (app.request in tests) the web body, adapted once.
 */
function requestBody(c: Context): Readable | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming instanceof IncomingMessage && !incoming.readableDidRead) return incoming;
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as never) : null;
}

/**
 * Reads one multipart body as it arrives and hands its `file` part, still streaming, to
 * the upload. Resolves with the stored file, or rejects with the first failure: a refused
 * upload stops reading at once (the rest of the body is never read; the server drains or
 * closes the connection after the answer).
 */
function receiveUpload(
  deps: AppDeps,
  userId: string,
  c: Context,
  source: Readable,
): Promise<FileInfo> {
  return new Promise<FileInfo>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { "content-type": c.req.header("content-type") ?? "" },
        highWaterMark: UPLOAD_BUFFER_BYTES,
        fileHwm: UPLOAD_BUFFER_BYTES,
        limits: { files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 20 },
      });
    } catch {
      reject(
        new UploadError(400, "Send the file as multipart/form-data in a field named `file`", {
          code: "bad_request",
        }),
      );
      return;
    }
    let upload: Promise<FileInfo> | null = null;
    let part: Readable | null = null;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      // Not destroyed: the answer still has to go out on this connection.
      source.pause();
      // An upload still reading its part stops too, and removes what it stored.
      if (part && !part.readableEnded) {
        // Its own failure may be what ended the upload; nobody else need hear of it again.
        part.on("error", () => {});
        part.destroy(error instanceof Error ? error : new Error(String(error)));
      }
      reject(error);
    };
    parser.on("file", (field, stream, info) => {
      if (field !== "file" || upload) {
        stream.resume();
        return;
      }
      part = stream;
      upload = uploadFile(deps, userId, {
        name: info.filename ?? "file",
        declaredType: info.mimeType ?? "",
        body: stream,
      });
      upload.then((file) => {
        if (settled) return;
        settled = true;
        resolve(file);
      }, fail);
    });
    parser.on("error", () =>
      fail(new UploadError(400, "The multipart body is malformed", { code: "bad_request" })),
    );
    parser.on("close", () => {
      if (!upload)
        fail(
          new UploadError(400, "No file: send it in a multipart field named `file`", {
            code: "bad_request",
          }),
        );
    });
    source.on("error", (error) => fail(error));
    // A client that goes away midway: the socket closes before the body is complete.
    source.on("close", () => {
      if (source instanceof IncomingMessage && !source.complete)
        fail(new UploadError(400, "The upload was cut off", { code: "bad_request" }));
    });
    source.pipe(parser);
  });
}

export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * POST /api/files (multipart, field `file`) and GET /api/files/:id[?size=thumb], for the
 * owner only, authenticated like tRPC: a Bearer access token or personal API key.
 */
export function mountFileRoutes(app: Hono, deps: AppDeps, logger: Logger): void {
  const internal = (c: Context, error: unknown) => {
    const requestId = requestIdOf(c);
    logger.error({ reqId: requestId, err: error }, "file route failed");
    return problem(c, 500, "Internal server error", { requestId });
  };

  app.post("/api/files", async (c) => {
    const user = await callerWithScope(deps, c, "chat");
    if (user instanceof Response) return user;
    if (!deps.files)
      return problem(c, 503, "File storage is not configured on this server", {
        code: "unavailable",
      });
    const declaredLength = Number(c.req.header("content-length") ?? NaN);
    if (declaredLength > deps.files.maxBytes + MULTIPART_OVERHEAD)
      return problem(c, 413, `The file is larger than the limit of ${deps.files.maxBytes} bytes`, {
        code: "too_large",
        limitBytes: deps.files.maxBytes,
      });
    const body = /^multipart\/form-data/i.test(c.req.header("content-type") ?? "")
      ? requestBody(c)
      : null;
    if (!body)
      return problem(c, 400, "Send the file as multipart/form-data in a field named `file`", {
        code: "bad_request",
      });
    try {
      const file = await receiveUpload(deps, user.id, c, body);
      c.header("Connection", "keep-alive");
      return c.json(file, 201);
    } catch (error) {
      if (error instanceof UploadError) {
        // The rest of a refused body is not read: the connection cannot be reused.
        c.header("Connection", "close");
        return problem(c, error.status, error.message, error.refusal);
      }
      return internal(c, error);
    }
  });

  app.get("/api/files/:id", async (c) => {
    const user = await callerWithScope(deps, c, "read");
    if (user instanceof Response) return user;
    const id = c.req.param("id");
    const size = c.req.query("size");
    if (size !== undefined && size !== "thumb") return problem(c, 400, "size may only be `thumb`");
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      return problem(c, 404, "File not found");
    try {
      const download = await downloadFile(
        deps,
        user.id,
        id,
        size === "thumb" ? "thumb" : "original",
      );
      const headers = new Headers({
        "Content-Type": download.contentType,
        "Content-Disposition": contentDisposition(download.disposition, download.file.name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
        "Content-Security-Policy": "default-src 'none'; sandbox",
      });
      if (size !== "thumb") headers.set("Content-Length", String(download.file.size));
      return new Response(Readable.toWeb(download.body) as ReadableStream, {
        status: 200,
        headers,
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === "NOT_FOUND")
        return problem(c, 404, "File not found");
      if (error instanceof UploadError)
        return problem(c, error.status, error.message, error.refusal);
      return internal(c, error);
    }
  });
}

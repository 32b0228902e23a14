import {
  callerHasScope,
  importHistory,
  importLimits,
  toDomainError,
  type AppDeps,
  type AuthUser,
} from "@parley/api";
import type { Context, Hono } from "hono";
import { caller, problem } from "./files-routes";
import type { Logger } from "./logging";

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

async function signedIn(deps: AppDeps, c: Context, scope: "chat" | "read") {
  let user: AuthUser | null;
  try {
    user = await caller(deps, c);
  } catch {
    return problem(c, 503, "Sign-in check unavailable, try again");
  }
  if (!user) return problem(c, 401, "Sign in first");
  if (!callerHasScope(user, scope))
    return problem(c, 403, `This API key lacks the \`${scope}\` scope`);
  return user;
}

/**
 * POST /api/import: a ChatGPT conversations.json or a Parley export as the body, imported
 * as new conversations of the caller, all or nothing.
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
    const user = await signedIn(deps, c, "chat");
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
}

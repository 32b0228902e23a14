import { FileRequestError, isAbort, type FileAuth } from "./files";

/**
 * Importing history (POST /api/import) and downloading the account archive
 * (GET /api/export): plain HTTP with the Bearer token, like the file routes.
 */

export interface ImportResult {
  source: "chatgpt" | "parley";
  conversations: number;
  messages: number;
  folders: number;
  presets: number;
  warnings: string[];
}

async function send(auth: FileAuth, path: string, init: RequestInit): Promise<Response> {
  const url = `${auth.apiBaseUrl.replace(/\/+$/, "")}${path}`;
  const once = async () => {
    const token = auth.getAccessToken();
    try {
      return await fetch(url, {
        ...init,
        headers: {
          ...(init.headers ?? {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new FileRequestError(0, null);
    }
  };
  let response = await once();
  if (response.status === 401 && (await auth.refresh().catch(() => false))) response = await once();
  if (response.status === 401) auth.expire();
  if (!response.ok) {
    const text = await response.text();
    let body = null;
    try {
      body = JSON.parse(text) as { error?: string; code?: string };
    } catch {
      body = null;
    }
    throw new FileRequestError(response.status, body);
  }
  return response;
}

export async function importHistoryFile(auth: FileAuth, file: Blob): Promise<ImportResult> {
  const response = await send(auth, "/api/import", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: file,
  });
  return (await response.json()) as ImportResult;
}

/** The whole account as a zip, with the name the server gave it. */
export async function fetchAccountArchive(auth: FileAuth): Promise<{ name: string; blob: Blob }> {
  const response = await send(auth, "/api/export", { method: "GET" });
  const disposition = response.headers.get("content-disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "parley-export.zip";
  return { name, blob: await response.blob() };
}

/**
 * Uploads and downloads of attachments over the HTTP file routes (POST /api/files,
 * GET /api/files/:id), which tRPC does not carry: uploads stream with progress, downloads
 * need the Bearer token, so images are fetched into blob URLs rather than linked.
 */

export type FileKind = "image" | "text" | "pdf" | "docx";

/** What POST /api/files answers with (201), and what a message lists per attachment. */
export interface UploadedFile {
  id: string;
  name: string;
  size: number;
  mimeType: string;
  kind: FileKind;
  width: number | null;
  height: number | null;
}

/** The error body of the file routes (apps/api/src/files-routes.ts). */
export interface FileErrorBody {
  error?: string;
  code?: string;
  limitBytes?: number;
  leftBytes?: number;
}

/** A refused or failed file request; `status` 0 when the server could not be reached. */
export class FileRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: FileErrorBody | null,
  ) {
    super(body?.error ?? (status ? `HTTP ${status}` : "Network error"));
    this.name = "FileRequestError";
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/** The session pieces the file requests need: the access token and a way to renew it. */
export interface FileAuth {
  apiBaseUrl: string;
  getAccessToken(): string | null;
  /** True when a new access token was obtained (the session is still live). */
  refresh(): Promise<boolean>;
  /** The server refused the session for good. */
  expire(): void;
}

export function fileUrl(apiBaseUrl: string, id: string, size?: "thumb"): string {
  const base = `${apiBaseUrl.replace(/\/+$/, "")}/api/files/${encodeURIComponent(id)}`;
  return size ? `${base}?size=${size}` : base;
}

function parseBody(text: string): FileErrorBody | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" ? (parsed as FileErrorBody) : null;
  } catch {
    return null;
  }
}

/** One attempt; 401 is answered to the caller, which renews the token and tries once more. */
function sendOnce(
  url: string,
  token: string | null,
  file: File,
  onProgress: (fraction: number) => void,
  signal: AbortSignal | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // XMLHttpRequest, not fetch: only it reports upload progress in every browser.
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => reject(new FileRequestError(0, null));
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    if (signal?.aborted) {
      reject(new DOMException("Upload cancelled", "AbortError"));
      return;
    }
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

/** Sends one file; resolves with what the server stored, or rejects with FileRequestError
 * (or an AbortError when cancelled). */
export async function uploadFile(
  auth: FileAuth,
  file: File,
  options: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {},
): Promise<UploadedFile> {
  const url = `${auth.apiBaseUrl.replace(/\/+$/, "")}/api/files`;
  const progress = options.onProgress ?? (() => {});
  let answer = await sendOnce(url, auth.getAccessToken(), file, progress, options.signal);
  if (answer.status === 401 && (await renewed(auth))) {
    progress(0);
    answer = await sendOnce(url, auth.getAccessToken(), file, progress, options.signal);
  }
  if (answer.status === 401) auth.expire();
  if (answer.status !== 201) throw new FileRequestError(answer.status, parseBody(answer.text));
  return JSON.parse(answer.text) as UploadedFile;
}

async function renewed(auth: FileAuth): Promise<boolean> {
  try {
    return await auth.refresh();
  } catch {
    return false;
  }
}

/** A file (or its thumbnail) of the signed-in user as a Blob. */
export async function fetchFileBlob(
  auth: FileAuth,
  id: string,
  options: { size?: "thumb"; signal?: AbortSignal } = {},
): Promise<Blob> {
  const url = fileUrl(auth.apiBaseUrl, id, options.size);
  const get = async () => {
    const token = auth.getAccessToken();
    try {
      return await fetch(url, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new FileRequestError(0, null);
    }
  };
  let response = await get();
  if (response.status === 401 && (await renewed(auth))) response = await get();
  if (response.status === 401) auth.expire();
  if (!response.ok) throw new FileRequestError(response.status, parseBody(await response.text()));
  return response.blob();
}

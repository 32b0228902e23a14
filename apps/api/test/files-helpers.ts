import { request } from "node:http";

export interface UploadResult {
  status: number;
  body: Record<string, unknown>;
}

/** POST /api/files with one multipart `file` part, as a browser's FormData sends it. */
export async function uploadFile(
  base: string,
  token: string | null,
  file: { name: string; type: string; data: Buffer | string },
): Promise<UploadResult> {
  const form = new FormData();
  form.set("file", new Blob([file.data], { type: file.type }), file.name);
  const response = await fetch(`${base}/api/files`, {
    method: "POST",
    body: form,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Streams a multipart upload that never ends by itself (chunks until the server answers),
 * with no Content-Length: resolves with the server's status, which it can only give if it
 * refuses the upload while reading it.
 */
export function uploadEndless(
  base: string,
  token: string,
  file: { name: string; type: string; head?: Buffer },
): Promise<{ status: number; body: string; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const boundary = "----parley-test-boundary";
    const url = new URL(`${base}/api/files`);
    let sentBytes = 0;
    let answered = false;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "transfer-encoding": "chunked",
        },
      },
      (res) => {
        answered = true;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, sentBytes }));
        res.on("error", reject);
      },
    );
    // After the answer the server stops reading: the write side may then fail, which is fine.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    req.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    );
    if (file.head) req.write(file.head);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (!answered && !req.destroyed) {
        sentBytes += chunk.length;
        if (sentBytes > 512 * 1024 * 1024) {
          req.destroy(new Error("the server read 512 MB without answering"));
          return;
        }
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
    };
    pump();
  });
}

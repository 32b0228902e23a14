import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { createKeyRing, generateMasterKey, rotateKeys } from "@parley/api";
import { signUp, type SignedIn } from "@parley/client";
import { sampleDocx, samplePdf, samplePng, startS3rver, type TestS3 } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadEndless, uploadFile } from "./files-helpers";
import { startTestServer, type TestServer } from "./ops-helpers";

const sha = (data: Buffer | ArrayBuffer) =>
  createHash("sha256")
    .update(Buffer.from(data as ArrayBuffer))
    .digest("hex");

async function download(base: string, token: string | null, id: string, query = "") {
  return fetch(`${base}/api/files/${id}${query}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

describe("POST /api/files and GET /api/files/:id (local disk)", () => {
  let server: TestServer;
  let alice: SignedIn;
  let bob: SignedIn;

  beforeAll(async () => {
    server = await startTestServer({ FILE_MAX_BYTES: String(2 * 1024 * 1024) });
    alice = await signUp(server.base, { username: "file_alice" });
    bob = await signUp(server.base, { username: "file_bob" });
  });
  afterAll(() => server?.stop());

  it("stores an image and gives it back to its owner, with a thumbnail", async () => {
    const png = await samplePng(900, 600);
    const up = await uploadFile(server.base, alice.accessToken, {
      name: "chart.png",
      type: "image/png",
      data: png,
    });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      name: "chart.png",
      size: png.length,
      mimeType: "image/png",
      kind: "image",
    });
    const id = up.body.id as string;

    const res = await download(server.base, alice.accessToken, id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toMatch(/^inline; filename="chart.png"/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toMatch(/^private/);
    expect(sha(await res.arrayBuffer())).toBe(sha(png));

    const thumb = await download(server.base, alice.accessToken, id, "?size=thumb");
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const thumbBytes = Buffer.from(await thumb.arrayBuffer());
    expect(thumbBytes.subarray(8, 12).toString()).toBe("WEBP");
    expect(thumbBytes.length).toBeLessThan(png.length);
  });

  it("an API key needs the `chat` scope to upload and `read` to download", async () => {
    const reader = await alice.client.auth.apiKeys.create.mutate({ name: "r", scopes: ["read"] });
    const writer = await alice.client.auth.apiKeys.create.mutate({ name: "w", scopes: ["chat"] });
    const file = { name: "n.txt", type: "text/plain", data: "scoped\n" };
    const refusedUpload = await uploadFile(server.base, reader.secret, file);
    expect(refusedUpload).toEqual({
      status: 403,
      body: { error: "This API key lacks the `chat` scope" },
    });
    const up = await uploadFile(server.base, writer.secret, file);
    expect(up.status).toBe(201);
    const id = up.body.id as string;
    const refusedDownload = await download(server.base, writer.secret, id);
    expect(refusedDownload.status).toBe(403);
    expect(await refusedDownload.json()).toEqual({ error: "This API key lacks the `read` scope" });
    const res = await download(server.base, reader.secret, id);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("scoped\n");
  });

  it("serves documents as attachments and text as plain text", async () => {
    const md = await uploadFile(server.base, alice.accessToken, {
      name: "notes.md",
      type: "text/markdown",
      data: "# Notes\n<script>alert(1)</script>\n",
    });
    expect(md.status).toBe(201);
    expect(md.body).toMatchObject({ kind: "text", mimeType: "text/markdown" });
    const res = await download(server.base, alice.accessToken, md.body.id as string);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="notes.md"/);
    expect(await res.text()).toContain("<script>");

    const source = await uploadFile(server.base, alice.accessToken, {
      name: "main.ts",
      type: "video/mp2t", // what browsers declare for .ts files
      data: "export const answer = 42;\n",
    });
    expect(source.status).toBe(201);
    expect(source.body).toMatchObject({ kind: "text", mimeType: "text/plain" });

    const pdf = await uploadFile(server.base, alice.accessToken, {
      name: "report.pdf",
      type: "application/pdf",
      data: samplePdf("Quarterly revenue grew"),
    });
    expect(pdf.status).toBe(201);
    expect(pdf.body).toMatchObject({ kind: "pdf" });
    const docx = await uploadFile(server.base, alice.accessToken, {
      name: "plan.docx",
      type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      data: await sampleDocx("Step one\nStep two"),
    });
    expect(docx.status).toBe(201);
    expect(docx.body).toMatchObject({ kind: "docx" });
    const pdfRes = await download(server.base, alice.accessToken, pdf.body.id as string);
    expect(pdfRes.headers.get("content-type")).toBe("application/pdf");
    expect(pdfRes.headers.get("content-disposition")).toMatch(/^attachment;/);
  });

  it("refuses a file whose bytes are not the declared type (400)", async () => {
    const fake = await uploadFile(server.base, alice.accessToken, {
      name: "photo.png",
      type: "image/png",
      data: "this is not a PNG at all, just text pretending",
    });
    expect(fake.status).toBe(400);
    expect(fake.body.error).toMatch(/sent as image\/png/);
    expect(fake.body.code).toBe("type_mismatch");

    const pngAsText = await uploadFile(server.base, alice.accessToken, {
      name: "readme.txt",
      type: "text/plain",
      data: await samplePng(),
    });
    expect(pngAsText.status).toBe(400);
    expect(pngAsText.body.error).toMatch(/image\/png/);

    const binary = await uploadFile(server.base, alice.accessToken, {
      name: "data.csv",
      type: "text/csv",
      data: Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xff, 0xfe, 0x00, 0x01]),
    });
    expect(binary.status).toBe(400);
  });

  it("refuses types it does not take (415) and lists the accepted ones", async () => {
    const res = await uploadFile(server.base, alice.accessToken, {
      name: "setup.exe",
      type: "application/x-msdownload",
      data: Buffer.from("MZ\x90\x00"),
    });
    expect(res.status).toBe(415);
    expect(res.body.error).toMatch(/Accepted: PNG, JPEG, WebP or GIF images/);
    expect(res.body.code).toBe("unsupported_type");
  });

  it("answers 413 as soon as the size limit is crossed, without reading the rest", async () => {
    const res = await uploadEndless(server.base, alice.accessToken, {
      name: "huge.txt",
      type: "text/plain",
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({
      error: expect.stringMatching(/larger than the limit of 2 MB/),
      code: "too_large",
      limitBytes: 2 * 1024 * 1024,
    });
    const list = await alice.client.files.list.query();
    expect(list.items.map((f) => f.name)).not.toContain("huge.txt");
  });

  it("answers 413 up front when Content-Length is already too large", async () => {
    // Headers only: the server must answer before any of the 50 MB announced arrives.
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${server.base}/api/files`);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            authorization: `Bearer ${alice.accessToken}`,
            "content-type": "multipart/form-data; boundary=x",
            "content-length": String(50 * 1024 * 1024),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });

  it("refuses bad requests clearly (400) and strangers (401)", async () => {
    const noAuth = await uploadFile(server.base, null, {
      name: "a.txt",
      type: "text/plain",
      data: "hi",
    });
    expect(noAuth.status).toBe(401);
    const notMultipart = await fetch(`${server.base}/api/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.accessToken}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(notMultipart.status).toBe(400);
    const form = new FormData();
    form.set("other", "value");
    const noFile = await fetch(`${server.base}/api/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.accessToken}` },
      body: form,
    });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { error: string }).error).toMatch(/field named `file`/);
    const empty = await uploadFile(server.base, alice.accessToken, {
      name: "empty.txt",
      type: "text/plain",
      data: "",
    });
    expect(empty.status).toBe(400);
  });

  it("shows a file to its owner only: anyone else gets 404, the same as a missing id", async () => {
    const up = await uploadFile(server.base, alice.accessToken, {
      name: "private.png",
      type: "image/png",
      data: await samplePng(),
    });
    const id = up.body.id as string;
    const stranger = await download(server.base, bob.accessToken, id);
    const missing = await download(
      server.base,
      bob.accessToken,
      "00000000-0000-4000-8000-000000000000",
    );
    expect(stranger.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await stranger.json()).toEqual(await missing.json());
    expect((await download(server.base, bob.accessToken, id, "?size=thumb")).status).toBe(404);
    expect((await download(server.base, null, id)).status).toBe(401);
    expect((await download(server.base, alice.accessToken, "not-an-id")).status).toBe(404);

    await expect(bob.client.files.delete.mutate({ id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    expect((await bob.client.files.list.query()).items.map((f) => f.id)).not.toContain(id);
    expect((await download(server.base, alice.accessToken, id)).status).toBe(200);
  });

  it("lists own files with usage, pages them, and deletes one from the store", async () => {
    const carol = await signUp(server.base, { username: "file_carol" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const up = await uploadFile(server.base, carol.accessToken, {
        name: `n${i}.txt`,
        type: "text/plain",
        data: `note ${i}`,
      });
      ids.push(up.body.id as string);
    }
    const first = await carol.client.files.list.query({ limit: 2 });
    expect(first.items.map((f) => f.name)).toEqual(["n2.txt", "n1.txt"]);
    expect(first.usedBytes).toBe(18);
    expect(first.quotaBytes).toBe(1024 * 1024 * 1024);
    const second = await carol.client.files.list.query({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((f) => f.name)).toEqual(["n0.txt"]);
    expect(second.nextCursor).toBeNull();

    const storage = server.server.deps.files!.storage;
    expect(await storage.list(`u/${carol.user.id}/${ids[0]}`)).toHaveLength(1);
    await carol.client.files.delete.mutate({ id: ids[0]! });
    expect(await storage.list(`u/${carol.user.id}/${ids[0]}`)).toEqual([]);
    expect((await download(server.base, carol.accessToken, ids[0]!)).status).toBe(404);
    expect((await carol.client.files.list.query()).usedBytes).toBe(12);
  });

  it("keeps nothing of an upload whose client goes away midway", async () => {
    const carol = await signUp(server.base, { username: "file_gone" });
    const url = new URL(`${server.base}/api/files`);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: "POST",
      headers: {
        authorization: `Bearer ${carol.accessToken}`,
        "content-type": "multipart/form-data; boundary=b",
        "transfer-encoding": "chunked",
      },
    });
    req.on("error", () => {});
    req.write(
      '--b\r\nContent-Disposition: form-data; name="file"; filename="gone.txt"\r\n' +
        "Content-Type: text/plain\r\n\r\n",
    );
    req.write(Buffer.alloc(512 * 1024, "a"));
    const userDir = path.join(server.dataDir, "files", "u", carol.user.id);
    const onDisk = () => readdir(userDir).catch(() => [] as string[]);
    // The bytes reach the disk (a partial object), then the client vanishes.
    await expect.poll(onDisk, { timeout: 10_000 }).not.toEqual([]);
    req.destroy();
    await expect.poll(onDisk, { timeout: 10_000 }).toEqual([]);
    expect((await carol.client.files.list.query()).items).toEqual([]);
  });

  it("keeps no plaintext on disk", async () => {
    const secret = "the launch code is 0000-SECRET-1234";
    const up = await uploadFile(server.base, alice.accessToken, {
      name: "secret.txt",
      type: "text/plain",
      data: secret,
    });
    const storage = server.server.deps.files!.storage;
    const [key] = await storage.list(`u/${alice.user.id}/${up.body.id as string}`);
    expect(key).toBeDefined();
    const stored = await readFile(path.join(server.dataDir, "files", ...key!.split("/")));
    expect(stored.length).toBe(secret.length + 28);
    expect(stored.includes(Buffer.from(secret))).toBe(false);
    expect(stored.includes(Buffer.from("launch code"))).toBe(false);
  });
});

describe("storage quota", () => {
  let server: TestServer;
  let dave: SignedIn;
  beforeAll(async () => {
    server = await startTestServer({
      STORAGE_QUOTA_BYTES: "100000",
      CORS_ORIGINS: "app://parley",
    });
    dave = await signUp(server.base, { username: "file_dave" });
  });
  afterAll(() => server?.stop());

  it("refuses with 413 and what is left once a user's files would pass the quota", async () => {
    const first = await uploadFile(server.base, dave.accessToken, {
      name: "a.txt",
      type: "text/plain",
      data: "a".repeat(70_000),
    });
    expect(first.status).toBe(201);
    const second = await uploadFile(server.base, dave.accessToken, {
      name: "b.txt",
      type: "text/plain",
      data: "b".repeat(40_000),
    });
    expect(second.status).toBe(413);
    expect(second.body.error).toMatch(/Not enough storage left: 29 KB of your quota remain/);
    expect(second.body).toMatchObject({ code: "quota_exceeded", leftBytes: 30_000 });
    const third = await uploadFile(server.base, dave.accessToken, {
      name: "c.txt",
      type: "text/plain",
      data: "c".repeat(30_000),
    });
    expect(third.status).toBe(201);
    const full = await uploadFile(server.base, dave.accessToken, {
      name: "d.txt",
      type: "text/plain",
      data: "d",
    });
    expect(full.status).toBe(413);
    expect(full.body.error).toMatch(/storage is full/);
    expect(full.body).toMatchObject({ code: "quota_exceeded", leftBytes: 0 });
    expect((await dave.client.files.list.query()).usedBytes).toBe(100_000);
  });

  it("lets a listed origin (the desktop app) upload and read files, and no other", async () => {
    const preflight = (origin: string) =>
      fetch(`${server.base}/api/files`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization",
        },
      });
    const listed = await preflight("app://parley");
    expect(listed.headers.get("access-control-allow-origin")).toBe("app://parley");
    expect(listed.headers.get("access-control-allow-headers")).toMatch(/authorization/i);
    const other = await preflight("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const read = await fetch(`${server.base}/api/files/00000000-0000-4000-8000-000000000000`, {
      headers: { origin: "app://parley", authorization: `Bearer ${dave.accessToken}` },
    });
    expect(read.status).toBe(404);
    expect(read.headers.get("access-control-allow-origin")).toBe("app://parley");
  });
});

describe("files on S3 (s3rver)", () => {
  const keyOfServer = generateMasterKey();
  let s3: TestS3;
  let server: TestServer;
  let erin: SignedIn;
  beforeAll(async () => {
    s3 = await startS3rver();
    server = await startTestServer({
      FILE_STORAGE: "s3",
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.config.region,
      S3_ACCESS_KEY_ID: s3.config.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.config.secretAccessKey,
      S3_FORCE_PATH_STYLE: "1",
      ENCRYPTION_KEY: keyOfServer,
    });
    erin = await signUp(server.base, { username: "file_erin" });
  });
  afterAll(async () => {
    await server?.stop();
    await s3?.close();
  });

  it("round-trips a file through the bucket, which holds only ciphertext", async () => {
    const png = await samplePng(300, 200, "#123456");
    const up = await uploadFile(server.base, erin.accessToken, {
      name: "s3.png",
      type: "image/png",
      data: png,
    });
    expect(up.status).toBe(201);
    const res = await download(server.base, erin.accessToken, up.body.id as string);
    expect(sha(await res.arrayBuffer())).toBe(sha(png));

    const storage = server.server.deps.files!.storage;
    const keys = await storage.list(`u/${erin.user.id}/`);
    expect(keys.sort()).toEqual([
      `u/${erin.user.id}/${up.body.id as string}`,
      `u/${erin.user.id}/${up.body.id as string}.thumb`,
    ]);
    const raw = await buffer((await storage.get(keys[0]!))!);
    expect(raw.length).toBe(png.length + 28);
    expect(raw.includes(png.subarray(0, 16))).toBe(false);
    expect(raw.subarray(1, 4).toString()).not.toBe("PNG");

    await erin.client.files.delete.mutate({ id: up.body.id as string });
    expect(await storage.list(`u/${erin.user.id}/`)).toEqual([]);
  });

  it("reads nothing with a wrong key, old files through ENCRYPTION_KEY_PREVIOUS, and everything after keys:rotate", async () => {
    const deps = server.server.deps;
    const text = "rotation keeps this readable";
    const up = await uploadFile(server.base, erin.accessToken, {
      name: "rotated.txt",
      type: "text/plain",
      data: text,
    });
    const id = up.body.id as string;
    const read = async () => {
      const res = await download(server.base, erin.accessToken, id);
      return { status: res.status, body: await res.text() };
    };
    const keyA = deps.keyRing;
    const keyB = generateMasterKey();
    try {
      // Another key alone cannot open it: no byte of the file comes back.
      deps.keyRing = createKeyRing({ current: keyB });
      const refused = await read();
      expect(refused.status).toBe(500);
      expect(refused.body).not.toContain("rotation");

      // Rotated to B with A kept as the previous key: the file still reads.
      deps.keyRing = createKeyRing({ current: keyB, previous: [keyOfServer] });
      expect(await read()).toEqual({ status: 200, body: text });

      // keys:rotate re-wraps its data key under B: A can then go.
      await rotateKeys(deps.db, deps.keyRing);
      deps.keyRing = createKeyRing({ current: keyB });
      expect(await read()).toEqual({ status: 200, body: text });
    } finally {
      deps.keyRing = keyA;
    }
  });
});

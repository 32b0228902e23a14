import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable, Transform } from "node:stream";
import { assertKey, type ObjectStorage, type S3StorageConfig } from "./types";

/** S3's minimum part size. One part in flight per upload keeps ten concurrent 20 MB uploads
 * within a few tens of megabytes of memory; throughput comes from concurrency instead. */
const PART_SIZE = 5 * 1024 * 1024;

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === "NoSuchKey" ||
      error.name === "NotFound" ||
      error.$metadata.httpStatusCode === 404)
  );
}

export function createS3Storage(config: S3StorageConfig): ObjectStorage {
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined,
  });
  const Bucket = config.bucket;
  return {
    kind: "s3",
    async put(key, body) {
      assertKey(key);
      let size = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(null, chunk);
        },
      });
      // lib-storage reads the counter, so a failure of `body` must reach it to abort.
      let bodyError: Error | undefined;
      body.once("error", (error) => {
        bodyError = error;
        count.destroy(error);
      });
      body.pipe(count);
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: count },
        partSize: PART_SIZE,
        queueSize: 1,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (error) {
        // When the body failed, that is the cause to report, even if the store then also
        // refused the multipart abort (s3rver does not implement it; S3 and MinIO do).
        throw bodyError ?? error;
      }
      return { size };
    },
    async get(key) {
      assertKey(key);
      try {
        const { Body } = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        if (!Body) return null;
        return Body instanceof Readable
          ? Body
          : Readable.fromWeb(Body.transformToWebStream() as never);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async head(key) {
      assertKey(key);
      try {
        const { ContentLength } = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { size: ContentLength ?? 0 };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async delete(keys) {
      for (const key of keys) assertKey(key);
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        const { Errors } = await client.send(
          new DeleteObjectsCommand({
            Bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = (Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
        if (failed.length > 0)
          throw new Error(`S3 refused to delete ${failed.length} object(s): ${failed[0]!.Code}`);
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys.sort();
    },
  };
}

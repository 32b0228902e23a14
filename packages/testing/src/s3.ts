import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

export interface TestS3 {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects, to look at the bytes the bucket really holds. */
  directory: string;
  /** Settings an S3 client needs for this server (s3rver accepts these fixed credentials). */
  config: {
    endpoint: string;
    bucket: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    forcePathStyle: true;
  };
  close(): Promise<void>;
}

/** A real S3-protocol server (s3rver) on a loopback port of its own, with one empty bucket. */
export async function startS3rver(bucket = "parley-test"): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), "parley-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    config: {
      endpoint,
      bucket,
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

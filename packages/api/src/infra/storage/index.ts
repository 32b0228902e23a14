import { createLocalStorage } from "./local";
import { createS3Storage } from "./s3";
import type { ObjectStorage, StorageConfig } from "./types";

export { createLocalStorage } from "./local";
export { createS3Storage } from "./s3";
export type { ObjectStorage, S3StorageConfig, StorageConfig } from "./types";

export function createObjectStorage(config: StorageConfig): ObjectStorage {
  return config.kind === "local" ? createLocalStorage(config.directory) : createS3Storage(config);
}

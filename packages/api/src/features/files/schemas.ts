import { z } from "zod";

export const listFilesInput = z
  .object({
    cursor: z.uuid().nullish(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .default({ limit: 50 });
export type ListFilesInput = z.infer<typeof listFilesInput>;

export const deleteFileInput = z.object({ id: z.uuid() });

import { z } from "zod";
import { text } from "../../core/input";

export const folderLimits = {
  name: 100,
  /** Folders per user: enough to sort any history, too few to fill the database. */
  perUser: 200,
} as const;

const name = text().trim().min(1, "Name the folder").max(folderLimits.name);

export const createFolderInput = z.object({ name });
export const renameFolderInput = z.object({ id: z.uuid(), name });
export const deleteFolderInput = z.object({ id: z.uuid() });

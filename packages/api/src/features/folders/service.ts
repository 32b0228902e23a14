import { folders } from "@parley/db";
import type { AppDeps } from "../../core/context";
import { DomainError } from "../../core/errors";
import { folderLimits } from "./schemas";

/** What this feature reads of AppDeps. */
export type FoldersDeps = Pick<AppDeps, "db">;

// Another user's folder looks exactly like a missing one.
const folderNotFound = () => new DomainError("NOT_FOUND", "Folder not found", { field: "id" });

export function listFolders(deps: FoldersDeps, userId: string) {
  return folders.listFolders(deps.db, userId);
}

export async function createFolder(deps: FoldersDeps, userId: string, name: string) {
  if ((await folders.countFolders(deps.db, userId)) >= folderLimits.perUser)
    throw new DomainError("BAD_REQUEST", `At most ${folderLimits.perUser} folders`, {
      field: "name",
    });
  return folders.createFolder(deps.db, userId, name);
}

export async function renameFolder(deps: FoldersDeps, userId: string, id: string, name: string) {
  const folder = await folders.renameFolder(deps.db, userId, id, name);
  if (!folder) throw folderNotFound();
  return folder;
}

/** The folder goes; its conversations stay, filed in no folder. */
export async function deleteFolder(deps: FoldersDeps, userId: string, id: string) {
  if (!(await folders.deleteFolder(deps.db, userId, id))) throw folderNotFound();
  return { id };
}

export { createDb, isPostgresUrl } from "./client";
export type { CreateDbOptions, Database, DatabaseKind, RawSql } from "./client";
export { migrate, migrationsDir, pendingMigrations, readMigrations } from "./migrate";
export {
  UniqueViolationError,
  isDatabaseUnavailable,
  rethrowUnique,
  uniqueViolationFields,
} from "./errors";
export * as users from "./queries/users";
export * as auth from "./queries/auth";
export * as chat from "./queries/chat";
export * as search from "./queries/search";
// By name too: the API's declarations (tsc -b) name a type through a module specifier, not a
// namespace re-export.
export type { SearchHit } from "./queries/search";
export * as usage from "./queries/usage";
export * as files from "./queries/files";
export * as audit from "./queries/audit";
export * as twoFactor from "./queries/two-factor";
export * as oidc from "./queries/oidc";
export * as registration from "./queries/registration";
export * as settings from "./queries/settings";
export * as sealed from "./queries/sealed";
export * as share from "./queries/share";
export * as folders from "./queries/folders";
export type { FolderRow } from "./queries/folders";
export * as presets from "./queries/presets";
export type { PresetRow } from "./queries/presets";
export * as providers from "./queries/providers";
export type { ProviderRow } from "./queries/providers";
export type { SharedMessage } from "./queries/share";
export * as portability from "./queries/portability";
export * as feedback from "./queries/feedback";
export type { Prisma } from "./generated/prisma/client";
export type * from "./generated/prisma/models";
export { FileKind, MessageRole, MessageStatus, Role } from "./generated/prisma/enums";

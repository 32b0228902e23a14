export { appRouter } from "./router";
export { shareExists } from "./features/share/service";
export {
  accountFiles,
  accountSummary,
  exportHistory,
  importHistory,
  type ExportedAttachment,
  type ImportResult,
} from "./features/portability/service";
export { importLimits } from "./features/portability/parse";
export { NO_INDEX } from "./features/share/router";
export type { AppRouter, RouterErrorData, RouterInputs, RouterOutputs } from "./router";
export { createCallerFactory } from "./core/trpc";
export { createContextInner, createRequestMeta } from "./core/context";
export type { AppDeps, AuthUser, Context, ContextInner, RequestMeta } from "./core/context";
export { DomainError, toDomainError, type DomainErrorCode } from "./core/errors";
export { createRequestContext } from "./core/request-context";
export { createRedis, redisHealth, waitForRedis } from "./infra/redis";
export {
  createActiveUserCounter,
  createMemoryActiveUserCounter,
  createRedisActiveUserCounter,
  type ActiveUserCounter,
} from "./infra/active-users";
export {
  wasObserved,
  type ProcedureCall,
  type ProcedureObserver,
  type ProcedureType,
} from "./core/observability";
export { createAuthDeps, type AuthDeps } from "./core/auth/deps";
export {
  createAuthConfig,
  defaultRateLimits,
  type AuthConfig,
  type AuthRateLimits,
} from "./core/auth/config";
export { REFRESH_COOKIE } from "./core/auth/cookies";
export { createPasswordHasher, type PasswordHasher } from "./core/auth/passwords";
export { API_KEY_PREFIX } from "./core/auth/tokens";
export {
  createMemorySessionCache,
  createRedisSessionCache,
  type CachedAccess,
  type SessionCache,
} from "./infra/session-cache";
export {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type RateLimiter,
  type RateLimitResult,
  type RateLimitRule,
} from "./infra/rate-limit";
export type {
  ApiKeyInfo,
  CreatedApiKey,
  PublicUser,
  SessionInfo,
  UserPage,
} from "./core/auth/public-types";
export {
  createChatRuntime,
  type ChatRuntime,
  type ChatRuntimeOptions,
} from "./features/chat/runtime";
export {
  defaultChatSettings,
  chatLimits,
  type AiConfig,
  type ChatSettings,
} from "./features/chat/settings";
export type {
  GenerationInfo,
  GenerationObserver,
  GenerationOutcome,
} from "./features/chat/observer";
export type { ReplyEvent } from "./features/chat/reply-stream";
export {
  createMemoryStreamBus,
  createRedisStreamBus,
  type StreamBus,
  type StreamEntry,
} from "./infra/stream-bus";
export {
  createChangeSignal,
  createMemoryChangeSignal,
  createRedisChangeSignal,
  type ChangeSignal,
} from "./infra/change-signal";
export { openProviderKey, providerKeyContext } from "./core/provider-keys";
export {
  ENVIRONMENT_PROVIDER_ID,
  parseModelRef,
  type ModelCatalog,
  type ModelOption,
  type ProviderGroup,
} from "./features/chat/registry";
export type { ProviderInfo } from "./features/providers/service";
export type { ProbeResult } from "./features/providers/probe";
export {
  createMemoryCancelSignal,
  createRedisCancelSignal,
  type CancelSignal,
} from "./infra/cancel";
export { signAccessToken, verifyAccessToken, type AccessClaims } from "./core/auth/jwt";
export {
  createMemoryTokenCounter,
  createRedisTokenCounter,
  createTokenCounter,
  type DailyTokenCounter,
} from "./infra/token-counter";
export {
  createUsageMeter,
  type QuotaStatus,
  type UsageMeter,
  type UsageObserver,
  type UsageReport,
  type UsageSource,
} from "./core/usage-meter";
export { countPromptTokens, countTextTokens } from "./core/tokenizer";
export { API_KEY_SCOPES, type ApiKeyScope } from "./core/context";
export { callerHasScope } from "./core/procedures";
export {
  createKeyRing,
  DecryptionError,
  generateMasterKey,
  newDataKey,
  openSecret,
  parseMasterKey,
  rewrapDataKey,
  rewrapSecret,
  sealSecret,
  unwrapDataKey,
  wrappingKeyId,
  type KeyRing,
} from "./core/crypto";
export {
  createLocalStorage,
  createObjectStorage,
  createS3Storage,
  type ObjectStorage,
  type S3StorageConfig,
  type StorageConfig,
} from "./infra/storage";
export type { FilesRuntime } from "./core/files";
export {
  downloadFile,
  sweepAbandonedUploads,
  uploadFile,
  UploadError,
  type FileDownload,
  type FileInfo,
} from "./features/files/service";
export {
  createReadReplicas,
  parseLsn,
  type ReadReplicas,
  type ReadReplicasOptions,
  type ReplicaStatus,
} from "./core/read-replicas";
export {
  createMemoryWritePositions,
  createRedisWritePositions,
  createWritePositions,
  type WritePositions,
} from "./infra/write-positions";
export {
  createDisabledHistoryCache,
  createHistoryCache,
  createMemoryHistoryCache,
  createRedisHistoryCache,
  type HistoryCache,
  type HistoryCacheStats,
} from "./infra/history-cache";
export {
  AUDIT_ACTIONS,
  recordAudit,
  type AuditAction,
  type AuditDetails,
  type AuditEntry,
  type AuditOrigin,
} from "./core/audit";
export { createAuditSweeper, sweepAuditEvents, type AuditSweeper } from "./features/audit/sweeper";
export type { AuditEventInfo, AuditPage } from "./features/audit/service";
export type { RegistrationMode } from "./core/auth/registration";
export { createOidcClient, type OidcClient, type OidcSettings } from "./features/oidc/client";
export {
  beginOidcSignIn,
  completeOidcSignIn,
  OIDC_CALLBACK_PATH,
  type OidcFailure,
  type OidcOutcome,
} from "./features/oidc/service";
export type { TwoFactorStatus } from "./features/two-factor/service";
export type { TotpEnrolment } from "./core/auth/second-factor";
export type { InvitationInfo, SignUpInfo } from "./features/registration/service";
export { historyWritten } from "./core/procedures";
export {
  ApiKeyOwners as OpenAIKeyOwners,
  authorizeCaller as authorizeOpenAICaller,
  checkCompletionCaller as checkOpenAICompletionCaller,
  createCompletion as createOpenAICompletion,
  getModel as getOpenAIModel,
  listModels as listOpenAIModels,
  prepareCompletion as prepareOpenAICompletion,
  startCompletionStream as startOpenAICompletionStream,
  toOpenAIError,
  type PreparedCompletion as PreparedOpenAICompletion,
  type V1Caller,
  type V1Observer,
} from "./features/openai/service";
export { OpenAIError, type OpenAIErrorBody } from "./features/openai/errors";
export {
  HISTORY_HEADER as OPENAI_HISTORY_HEADER,
  parseHistoryTarget as parseOpenAIHistoryTarget,
} from "./features/openai/history";
export type * from "./features/openai/types";
export { redactProcedureInput } from "./redact";
export { rotateKeys, SEALED_COLUMNS, type RotationReport } from "./core/key-rotation";

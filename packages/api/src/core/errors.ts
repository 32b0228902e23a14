import { chat, isDatabaseUnavailable, UniqueViolationError } from "@parley/db";
import { TRPCError } from "@trpc/server";

/** Codes a domain error may carry; each maps to the TRPCError code of the same name. */
export type DomainErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE";

/** Extra, client-safe facts: the field at fault, seconds to wait, ... */
export type DomainErrorDetails = {
  field?: string;
  retryAfterSeconds?: number;
  [key: string]: unknown;
};

/**
 * What services throw for a rule the caller broke; toDomainError also turns the db
 * package's errors into one, so services never import tRPC.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: DomainErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DomainError";
  }
}

/**
 * The one conversion of an error into what a client may see, by class: a DomainError as
 * it is, the db package's rule and unique-constraint errors, and "the database is down"
 * as a 503 a client may retry. Anything else is unexpected (null): a 500 whose detail
 * stays in the log.
 */
export function toDomainError(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  if (error instanceof UniqueViolationError) {
    // A unique violation names its columns; clients read the first one as `details.field`
    // to put the message under the right input.
    const details = error.fields.length
      ? { field: error.fields[0], fields: error.fields }
      : undefined;
    return new DomainError("CONFLICT", error.message, details, { cause: error });
  }
  if (error instanceof chat.ChatRuleError) {
    return new DomainError(error.code, error.message, error.details, { cause: error });
  }
  if (isDatabaseUnavailable(error)) {
    return new DomainError(
      "SERVICE_UNAVAILABLE",
      "The database is unavailable; try again in a moment",
      undefined,
      { cause: error },
    );
  }
  return null;
}

/** The TRPCError to answer `error` (thrown, or as tRPC wrapped it) with; null when it is
 * not a domain error. */
export function toTRPCError(error: unknown): TRPCError | null {
  const thrown =
    error instanceof TRPCError && error.code === "INTERNAL_SERVER_ERROR" ? error.cause : error;
  if (thrown instanceof TRPCError) return null;
  const domain = toDomainError(thrown);
  return domain && new TRPCError({ code: domain.code, message: domain.message, cause: domain });
}

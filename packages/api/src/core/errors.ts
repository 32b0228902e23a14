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

/**
 * Services throw DomainError (or any error with one of the codes above, such as the db
 * package's UniqueViolationError); one middleware turns it into a TRPCError, so services
 * never import tRPC.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Extra, client-safe facts: the field at fault, seconds to wait, ... */
    readonly details?: { field?: string; retryAfterSeconds?: number; [key: string]: unknown },
  ) {
    super(message);
    this.name = "DomainError";
  }
}

const domainCodes = new Set<string>([
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PRECONDITION_FAILED",
  "TOO_MANY_REQUESTS",
  "SERVICE_UNAVAILABLE",
]);

export function isDomainError(
  error: unknown,
): error is Error & { code: DomainErrorCode; details?: DomainError["details"]; fields?: string[] } {
  return (
    error instanceof Error &&
    typeof (error as unknown as { code?: unknown }).code === "string" &&
    domainCodes.has((error as unknown as { code: string }).code)
  );
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);

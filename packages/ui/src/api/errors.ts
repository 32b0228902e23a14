import type { RouterErrorData } from "@parley/api";
import { TRPCClientError } from "@trpc/client";
import type { Translate } from "../i18n";
import { isUnreachable } from "./connection";

/** The error data our server sends, as its errorFormatter (core/trpc.ts) declares it. */
export type ServerErrorData = RouterErrorData;

export function errorData(error: unknown): ServerErrorData | undefined {
  if (error instanceof TRPCClientError)
    return (error.data ?? undefined) as ServerErrorData | undefined;
  return undefined;
}

export function errorCode(error: unknown): string | undefined {
  return errorData(error)?.code;
}

/** The server refused because an admin disabled the account (sessions.ts ACCOUNT_DISABLED),
 * whether on refresh (UNAUTHORIZED) or sign-in (FORBIDDEN). */
export function isAccountDisabled(error: unknown): boolean {
  return errorData(error)?.details?.reason === "ACCOUNT_DISABLED";
}

/** Codes a retry cannot fix: asking again would only repeat the answer (docs/architecture.md §7). */
export const NEVER_RETRY = new Set([
  "UNAUTHORIZED",
  "FORBIDDEN",
  "BAD_REQUEST",
  "NOT_FOUND",
  "CONFLICT",
  "TOO_MANY_REQUESTS",
  "PAYLOAD_TOO_LARGE",
]);

/** React Query's retry policy: transient failures twice, the rest never. */
export function shouldRetryQuery(failureCount: number, error: unknown): boolean {
  const code = errorCode(error);
  if (code && NEVER_RETRY.has(code)) return false;
  return failureCount < 2;
}

/**
 * Per-field messages for a form: zod's flattened field errors, or a domain error that
 * names its field (e.g. CONFLICT on `email`). Everything else is a form-level message.
 */
export function fieldErrors(
  error: unknown,
  t?: Translate,
): {
  fields: Record<string, string>;
  form: string | null;
} {
  if (!error) return { fields: {}, form: null };
  const data = errorData(error);
  const fields: Record<string, string> = {};
  for (const [name, messages] of Object.entries(data?.zodError?.fieldErrors ?? {})) {
    if (messages?.[0]) fields[name] = messages[0];
  }
  const field = data?.details?.field;
  const message = t ? errorText(error, t) : error instanceof Error ? error.message : String(error);
  if (typeof field === "string" && !fields[field]) fields[field] = message;
  const fieldsFromConflict = data?.details?.fields;
  if (Array.isArray(fieldsFromConflict)) {
    for (const f of fieldsFromConflict)
      if (typeof f === "string" && !fields[f]) fields[f] = message;
  }
  const hasFields = Object.keys(fields).length > 0;
  const formFromZod = data?.zodError?.formErrors?.[0];
  return { fields, form: hasFields ? (formFromZod ?? null) : (formFromZod ?? message) };
}

/**
 * What to tell a person about a failed call, in their language: an outage or a server
 * failure gets a translated sentence, a domain error keeps the server's message.
 */
export function errorText(error: unknown, t: Translate): string {
  if (isUnreachable(error)) return t("errors.unreachable");
  if (isAccountDisabled(error)) return t("auth.disabled");
  const code = errorCode(error);
  if (code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE") return t("errors.server");
  if (code === "TOO_MANY_REQUESTS") {
    const seconds = errorData(error)?.details?.retryAfterSeconds;
    return typeof seconds === "number"
      ? t("errors.rateLimitedFor", { seconds })
      : t("errors.rateLimited");
  }
  return error instanceof Error ? error.message : String(error);
}

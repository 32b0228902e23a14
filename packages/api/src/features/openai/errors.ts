import OpenAI from "openai";
import type { z } from "zod";
import { toDomainError } from "../../core/errors";

/** OpenAI's error body: what every OpenAI client knows how to read. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** A refusal of a /v1 call, with the status and body OpenAI would answer. */
export class OpenAIError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Sent as Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "OpenAIError";
  }

  get body(): OpenAIErrorBody {
    return {
      error: { message: this.message, type: this.type, code: this.code, param: this.param },
    };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code?: string) =>
  new OpenAIError(400, message, "invalid_request_error", code ?? null, param);

export const modelNotFound = (model: string) =>
  new OpenAIError(
    404,
    `The model \`${model}\` does not exist or you do not have access to it.`,
    "invalid_request_error",
    "model_not_found",
    "model",
  );

/** The first zod issue, named the way OpenAI names a parameter (`messages[0].content`). */
export function fromZodError(error: z.ZodError): OpenAIError {
  const issue = error.issues[0];
  if (!issue) return invalidRequest("Invalid request");
  if (issue.code === "unrecognized_keys") {
    const where = paramOf(issue.path);
    const keys = issue.keys.join(", ");
    return invalidRequest(
      `Unrecognized request argument supplied: ${where ? `${where}.` : ""}${keys}`,
      where ? `${where}.${issue.keys[0]}` : (issue.keys[0] ?? null),
      "unsupported_parameter",
    );
  }
  const param = paramOf(issue.path);
  return invalidRequest(
    param ? `Invalid value for '${param}': ${issue.message}` : issue.message,
    param || null,
    "invalid_value",
  );
}

function paramOf(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** A domain refusal (quota, rate limit, the database down) in OpenAI's terms; null for an
 * unexpected error. */
export function fromDomainError(error: unknown): OpenAIError | null {
  const domain = toDomainError(error);
  if (!domain) return null;
  const retryAfter = domain.details?.retryAfterSeconds;
  switch (domain.code) {
    case "TOO_MANY_REQUESTS":
      return domain.details?.reason === "quota"
        ? new OpenAIError(
            429,
            domain.message,
            "insufficient_quota",
            "insufficient_quota",
            null,
            retryAfter,
          )
        : new OpenAIError(429, domain.message, "requests", "rate_limit_exceeded", null, retryAfter);
    case "UNAUTHORIZED":
      return new OpenAIError(401, domain.message, "invalid_request_error", "invalid_api_key");
    case "FORBIDDEN":
      return new OpenAIError(403, domain.message, "permission_error", "insufficient_permissions");
    case "NOT_FOUND":
      return new OpenAIError(404, domain.message, "invalid_request_error", "not_found");
    case "SERVICE_UNAVAILABLE":
      return new OpenAIError(503, domain.message, "server_error", "service_unavailable");
    default:
      return invalidRequest(domain.message, (domain.details?.field as string) ?? null);
  }
}

/**
 * A failure of the provider call. The caller's own mistakes the provider found (a bad
 * parameter, a context too long) are theirs to see; anything else is the provider's
 * fault or Parley's setup (its credentials): a 502 without the upstream detail.
 */
export function fromProviderError(error: unknown, model: string): OpenAIError {
  if (error instanceof OpenAIError) return error;
  if (error instanceof OpenAI.APIUserAbortError)
    return new OpenAIError(499, "The request was cancelled", "invalid_request_error");
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new OpenAIError(
      504,
      "The model provider did not answer in time",
      "api_error",
      "upstream_timeout",
    );
  if (error instanceof OpenAI.BadRequestError || error instanceof OpenAI.UnprocessableEntityError)
    return invalidRequest(`The model provider rejected the request: ${short(error.message)}`);
  if (error instanceof OpenAI.NotFoundError) return modelNotFound(model);
  if (error instanceof OpenAI.RateLimitError) {
    const header = Number(error.headers?.get("retry-after"));
    return new OpenAIError(
      429,
      "The model provider is rate-limiting requests; try again shortly",
      "requests",
      "rate_limit_exceeded",
      null,
      Number.isFinite(header) && header > 0 ? Math.ceil(header) : 1,
    );
  }
  if (error instanceof OpenAI.APIError && typeof error.status === "number")
    return new OpenAIError(
      502,
      `The model provider had an error (HTTP ${error.status})`,
      "api_error",
      "upstream_error",
    );
  return new OpenAIError(
    502,
    "The model provider could not be reached or broke off",
    "api_error",
    "upstream_error",
  );
}

function short(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

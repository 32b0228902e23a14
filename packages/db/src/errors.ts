import { Prisma } from "./generated/prisma/client";

/** A write hit a unique constraint; `fields` names the columns (e.g. ["email"]). */
export class UniqueViolationError extends Error {
  readonly code = "CONFLICT" as const;
  constructor(readonly fields: string[]) {
    super(`${fields.join(", ") || "value"} already in use`);
    this.name = "UniqueViolationError";
  }
}

/** The columns of a unique-constraint violation, or null for any other error. Driver
 * adapters report them under `meta.driverAdapterError`, the native engine under `meta.target`. */
export function uniqueViolationFields(error: unknown): string[] | null {
  const raw = rawPostgresError(error) ?? driverError(error);
  if (raw?.code === "23505") return fieldsFromDetail(raw.detail);
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") {
    return null;
  }
  const meta = error.meta as
    | {
        target?: string[] | string;
        driverAdapterError?: { cause?: { constraint?: { fields?: string[]; index?: string } } };
      }
    | undefined;
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  if (constraint?.fields?.length) return constraint.fields.map(unquote);
  if (constraint?.index) return [constraint.index];
  if (Array.isArray(meta?.target)) return meta.target;
  if (typeof meta?.target === "string") return [meta.target];
  return [];
}

/** pglite-prisma-adapter passes Postgres errors through unmapped (no P2002). */
function rawPostgresError(error: unknown): { code?: string; detail?: string } | null {
  if (!(error instanceof Error) || error.name !== "DriverAdapterError") return null;
  const cause = (error as { cause?: { kind?: string; code?: string; detail?: string } }).cause;
  return cause?.kind === "postgres" ? cause : null;
}

/** An error of node-postgres or PGlite from a statement written by hand (db.sql): both
 * carry Postgres's SQLSTATE in `code`. */
function driverError(error: unknown): { code?: string; detail?: string } | null {
  if (!(error instanceof Error) || error.name === "DriverAdapterError") return null;
  const { code, detail } = error as { code?: unknown; detail?: unknown };
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)
    ? { code, ...(typeof detail === "string" ? { detail } : {}) }
    : null;
}

/** "Key (user_id, client_message_id)=(…) already exists." → ["user_id", "client_message_id"] */
function fieldsFromDetail(detail: string | undefined): string[] {
  const match = detail?.match(/^Key \(([^)]*)\)=/);
  return match?.[1] ? match[1].split(",").map((f) => unquote(f.trim())) : [];
}

function unquote(field: string): string {
  return field.replace(/^"|"$/g, "");
}

/** Runs `write`, turning a unique violation into a UniqueViolationError. */
export async function rethrowUnique<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const fields = uniqueViolationFields(error);
    if (fields) throw new UniqueViolationError(fields);
    throw error;
  }
}

// Prisma's codes for "cannot reach / lost the server / timed out waiting for a connection".
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
const UNAVAILABLE_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);
// Postgres SQLSTATEs: 57P01-57P03 shutting down / starting up, class 08 connection exceptions.
const UNAVAILABLE_SQLSTATE = /^(57P0[123]|08...)$/;
// node-postgres reports a dropped connection or a pool wait timeout without a code; Prisma
// reports a transaction that found no free connection in time as P2028 with this text;
// PGlite says it was closed (the embedded database is shutting down) only in its message.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Unable to start a transaction in the given time|PGlite is closed/i;

interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function saysUnavailable(error: ErrorLike): boolean {
  const { code, kind, message } = error;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (UNAVAILABLE_PRISMA_CODES.has(error.code)) return true;
  }
  if (typeof code === "string") {
    if (UNAVAILABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)) return true;
  }
  if (typeof kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(kind)) return true;
  return error instanceof Error && typeof message === "string" && UNAVAILABLE_MESSAGE.test(message);
}

/**
 * Whether `error` means the database cannot serve right now (down, restarting, the
 * connection dropped, no free connection in time), as opposed to a bad query: callers
 * answer 503 and the client may retry later. Looks through causes and Prisma's wrapped
 * driver-adapter error.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const e = error as ErrorLike;
  if (saysUnavailable(e)) return true;
  return (
    isDatabaseUnavailable(e.cause, depth + 1) ||
    isDatabaseUnavailable(e.meta?.driverAdapterError, depth + 1)
  );
}

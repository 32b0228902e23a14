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
  const raw = rawPostgresError(error);
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

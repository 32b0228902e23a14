import { z } from "zod";

/**
 * The one string schema every input starts from. A NUL byte cannot be stored in a Postgres
 * text column and a lone UTF-16 surrogate cannot be encoded as UTF-8: either would fail deep
 * in the database as a 500. Refused here, they are a 400 that names the field.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const NUL_MESSAGE = "Must not contain NUL characters";
export const SURROGATE_MESSAGE = "Must not contain invalid characters (unpaired UTF-16 surrogates)";

// One instance of each check, shared by every text(): the input-coverage test recognises a
// text schema by these very objects, whatever else was chained onto it.
const noNul = z.refine<string>((value) => !value.includes("\u0000"), NUL_MESSAGE);
const noLoneSurrogate = z.refine<string>((value) => !LONE_SURROGATE.test(value), SURROGATE_MESSAGE);
export const TEXT_CHECKS: readonly unknown[] = [noNul, noLoneSurrogate];

export function text() {
  return z.string().check(noNul, noLoneSurrogate);
}

/**
 * Dates a client may send (cursors, ranges). JavaScript dates reach year 275760, Postgres
 * timestamps do not, and nothing Parley stores predates 1970 or lies past 9999: a date
 * outside that is a crafted input, refused before it reaches a query.
 */
export const EARLIEST_DATE = new Date(0);
export const LATEST_DATE = new Date("9999-12-31T23:59:59.999Z");

export function timestamp() {
  return z
    .date("Must be a date")
    .min(EARLIEST_DATE, "Must be a date after 1970")
    .max(LATEST_DATE, "Must be a date before the year 10000");
}

/** One readable sentence for a refused input: "title: Must not contain NUL characters". */
export function describeIssues(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (!first) return "Invalid input";
  const where = first.path.length ? `${first.path.map(String).join(".")}: ` : "";
  const more = rest.length ? ` (and ${rest.length} more)` : "";
  return `${where}${first.message}${more}`;
}

/** Schemas whose values never reach a log, whatever the field is called. */
const sensitiveSchemas = new WeakSet<z.ZodType>();

/** Marks a field as secret (a password, a token, a key): log lines show "[redacted]". */
export function sensitive<T extends z.ZodType>(schema: T): T {
  sensitiveSchemas.add(schema);
  return schema;
}

export const REDACTED = "[redacted]";

/** The schema inside optional/nullable/default/pipe wrappers, for finding object shapes. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 10; i++) {
    if (sensitiveSchemas.has(current)) return current;
    const def = (current as unknown as { def: Record<string, unknown> }).def;
    const inner = (def.innerType ?? (def.type === "pipe" ? def.in : undefined)) as
      z.ZodType | undefined;
    if (!inner) return current;
    current = inner;
  }
  return current;
}

/**
 * A copy of `value` with every field its schema marks sensitive replaced by "[redacted]".
 * Fields the schema does not know are kept: they were refused or stripped anyway.
 */
export function redactSensitive(schema: z.ZodType, value: unknown, depth = 0): unknown {
  if (depth > 10) return value;
  const inner = unwrap(schema);
  if (sensitiveSchemas.has(schema) || sensitiveSchemas.has(inner))
    return value === undefined ? value : REDACTED;
  if (inner instanceof z.ZodObject && value && typeof value === "object" && !Array.isArray(value)) {
    const shape = inner.shape as Record<string, z.ZodType>;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = shape[key] ? redactSensitive(shape[key], item, depth + 1) : item;
    }
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((item) => redactSensitive(inner.element as z.ZodType, item, depth + 1));
  }
  return value;
}

import { z } from "zod";

/**
 * The one string schema every input starts from. A NUL byte cannot be stored in a Postgres
 * text column and a lone UTF-16 surrogate cannot be encoded as UTF-8: either would fail deep
 * in the database as a 500. Refused here, they are a 400 that names the field.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function text() {
  return z
    .string()
    .refine((value) => !value.includes("\u0000"), "Must not contain NUL characters")
    .refine(
      (value) => !LONE_SURROGATE.test(value),
      "Must not contain invalid characters (unpaired UTF-16 surrogates)",
    );
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

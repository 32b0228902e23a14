import type { z } from "zod";
import { redactSensitive } from "./core/input";
import { appRouter } from "./router";

const procedures = (appRouter._def as unknown as { procedures: Record<string, unknown> })
  .procedures;

/** The input schemas of a procedure by its path, or null when there is no such procedure. */
function inputSchemasOf(path: string): z.ZodType[] | null {
  if (!Object.hasOwn(procedures, path)) return null;
  const procedure = procedures[path] as { _def: { inputs: z.ZodType[] } };
  return procedure._def.inputs;
}

/**
 * A procedure's input safe to log: every field its schema marks `sensitive()` (passwords,
 * codes, tokens) is "[redacted]", whatever the field is called. The input of an unknown
 * procedure, or of one that takes none, is not logged at all: nothing says what it holds.
 */
export function redactProcedureInput(path: string | undefined, input: unknown): unknown {
  const schemas = path ? inputSchemasOf(path) : null;
  if (!schemas) return input === undefined ? undefined : "[unknown procedure: input not logged]";
  // A procedure without input ignores whatever came: nothing of it is worth a log line.
  if (schemas.length === 0) return undefined;
  return schemas.reduce((value, schema) => redactSensitive(schema, value), input);
}

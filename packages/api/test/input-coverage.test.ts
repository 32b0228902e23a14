import { describe, expect, it } from "vitest";
import { TEXT_CHECKS } from "../src/core/input";
import { chatCompletionRequest } from "../src/features/openai/schemas";
import { appRouter } from "../src/router";

interface ZodInternals {
  _zod: { def: Record<string, unknown> & { type: string; checks?: unknown[] } };
}

/**
 * Paths (within a procedure's input) of string schemas a client can fill that do not start
 * from text(). Formats with a strict pattern (uuid, email) cannot carry NUL or surrogates.
 */
function untextedStrings(
  schema: unknown,
  at: string,
  found: { untexted: string[]; texted: number },
  depth = 0,
): { untexted: string[]; texted: number } {
  if (depth > 20 || !schema || typeof schema !== "object" || !("_zod" in schema)) return found;
  const def = (schema as ZodInternals)._zod.def;
  const walk = (inner: unknown, path = at) => untextedStrings(inner, path, found, depth + 1);
  switch (def.type) {
    case "string":
      if (TEXT_CHECKS.every((check) => def.checks?.includes(check))) found.texted++;
      else if (!def.format) found.untexted.push(at || "(input)");
      break;
    case "object":
      for (const [key, value] of Object.entries(def.shape as Record<string, unknown>))
        walk(value, at ? `${at}.${key}` : key);
      break;
    case "array":
      walk(def.element, `${at}[]`);
      break;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      walk(def.innerType);
      break;
    // Only the side a client fills: what a transform hands on is our own value.
    case "pipe":
      walk(def.in);
      break;
    case "union":
      for (const option of def.options as unknown[]) walk(option);
      break;
    case "record":
      walk(def.keyType, `${at}{key}`);
      walk(def.valueType, `${at}{}`);
      break;
  }
  return found;
}

describe("every procedure input", () => {
  it("builds each string a client can send from text()", () => {
    const procedures = (appRouter._def as unknown as { procedures: Record<string, unknown> })
      .procedures;
    const offenders: string[] = [];
    let texted = 0;
    for (const [path, procedure] of Object.entries(procedures)) {
      for (const input of (procedure as { _def: { inputs: unknown[] } })._def.inputs) {
        const found = untextedStrings(input, "", { untexted: [], texted: 0 });
        offenders.push(...found.untexted.map((at) => `${path}: ${at}`));
        texted += found.texted;
      }
    }
    // /v1 is plain HTTP, not tRPC: its one request schema is held to the same rule.
    const v1 = untextedStrings(chatCompletionRequest, "", { untexted: [], texted: 0 });
    offenders.push(...v1.untexted.map((at) => `POST /v1/chat/completions: ${at}`));
    texted += v1.texted;
    // The walk reaches the strings at all: login, passwords, titles, messages, search...
    expect(texted).toBeGreaterThan(25);
    expect(offenders).toEqual([]);
  });
});

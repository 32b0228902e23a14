import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "../router";
import {
  describeIssues,
  NUL_MESSAGE,
  SURROGATE_MESSAGE,
  TEXT_CHECKS,
  text,
  timestamp,
} from "./input";

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

describe("text()", () => {
  it("refuses NUL bytes and unpaired surrogates, and nothing else", () => {
    const schema = text();
    expect(schema.safeParse("a\u0000b").error?.issues[0]?.message).toBe(NUL_MESSAGE);
    expect(schema.safeParse("a\uD800").error?.issues[0]?.message).toBe(SURROGATE_MESSAGE);
    expect(schema.safeParse("\uDFFFa").error?.issues[0]?.message).toBe(SURROGATE_MESSAGE);
    expect(schema.safeParse("\uDC00\uD800").success).toBe(false);
    for (const fine of ["", "plain", "🚀 rocket", "tab\tand\nnewline", "\u007f\u0001", "日本語"])
      expect(schema.safeParse(fine).success, JSON.stringify(fine)).toBe(true);
  });

  it("keeps its checks through chained rules", () => {
    const schema = text().trim().min(1).max(10).optional();
    expect(schema.safeParse(" ok ").data).toBe("ok");
    expect(schema.safeParse("x\u0000").success).toBe(false);
  });

  it("describes a refusal in one sentence naming the field", () => {
    const schema = z.object({ title: text(), nested: z.object({ at: timestamp() }) });
    const refused = schema.safeParse({ title: "\u0000", nested: { at: new Date(8.64e15) } });
    expect(describeIssues(refused.error!)).toBe(`title: ${NUL_MESSAGE} (and 1 more)`);
  });
});

describe("timestamp()", () => {
  it("accepts the dates Parley stores and refuses those Postgres cannot hold", () => {
    expect(timestamp().safeParse(new Date()).success).toBe(true);
    expect(timestamp().safeParse(new Date(999_999_999_999_999)).success).toBe(false);
    expect(timestamp().safeParse(new Date(-1)).success).toBe(false);
    expect(timestamp().safeParse(new Date(NaN)).success).toBe(false);
  });
});

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
    // The walk reaches the strings at all: login, passwords, titles, messages, search...
    expect(texted).toBeGreaterThan(25);
    expect(offenders).toEqual([]);
  });
});

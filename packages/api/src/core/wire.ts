import superjson from "superjson";

type SuperJSONResult = ReturnType<typeof superjson.serialize>;
type Annotations = Record<string, ["Date"]>;

/** Thrown by the walk when a value needs superjson's full treatment. */
const NEEDS_SUPERJSON = Symbol("needs superjson");

/**
 * superjson's wire format for the data procedures return (plain objects, arrays, strings,
 * finite numbers, booleans, null and Dates), without superjson's walk, which cost about as
 * much as the query on a 50-row page. The JSON part is the value itself (Date#toJSON writes
 * the same ISO string); only the Dates' paths are collected. Anything else (undefined, Map,
 * BigInt, class instances, keys superjson must escape) goes to superjson unchanged, so the
 * client (which deserializes with superjson) gets equal values either way; an object that
 * appears twice arrives as two equal copies rather than one shared reference.
 */
export function serializeOutput(value: unknown): SuperJSONResult {
  const dates: Annotations = {};
  let found = false;
  // The keys leading to the value being walked: a path is only built for a Date, not for
  // every field (string concatenation per field cost more than the walk itself).
  const keys: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (v === null) return;
    switch (typeof v) {
      case "string":
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(v) || Object.is(v, -0)) throw NEEDS_SUPERJSON;
        return;
      case "object":
        break;
      default:
        throw NEEDS_SUPERJSON;
    }
    if (v instanceof Date) {
      if (Number.isNaN(v.getTime()) || depth === 0) throw NEEDS_SUPERJSON;
      let path = "";
      for (let i = 0; i < depth; i++) {
        const key = keys[i]!;
        // superjson escapes these in paths; leave that to it.
        if (key.includes(".") || key.includes("\\")) throw NEEDS_SUPERJSON;
        path = i === 0 ? key : `${path}.${key}`;
      }
      dates[path] = ["Date"];
      found = true;
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        keys[depth] = String(i);
        walk(v[i], depth + 1);
      }
      return;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) throw NEEDS_SUPERJSON;
    for (const key in v) {
      keys[depth] = key;
      walk((v as Record<string, unknown>)[key], depth + 1);
    }
  };
  try {
    walk(value, 0);
  } catch (error) {
    if (error === NEEDS_SUPERJSON) return superjson.serialize(value);
    throw error;
  }
  return found
    ? ({ json: value, meta: { values: dates, v: 1 } } as SuperJSONResult)
    : ({ json: value } as SuperJSONResult);
}

/** The API's tRPC transformer: superjson for inputs, the fast path above for outputs. */
export const transformer = {
  input: superjson,
  output: { serialize: serializeOutput, deserialize: superjson.deserialize },
};

import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { serializeOutput } from "./wire";

/** What a client reads: the JSON text on the wire, parsed and deserialized by superjson. */
const roundTrip = (value: unknown) =>
  superjson.deserialize(JSON.parse(JSON.stringify(serializeOutput(value))));

describe("tRPC output serialization", () => {
  it("writes superjson's exact wire format for plain rows with dates", () => {
    const page = {
      items: Array.from({ length: 3 }, (_, i) => ({
        id: `id-${i}`,
        title: "t",
        temperature: i ? 0.5 : null,
        pinned: false,
        tags: ["a", { deep: new Date(i) }],
        createdAt: new Date(Date.UTC(2026, 0, i + 1)),
      })),
      nextCursor: null,
    };
    expect(JSON.parse(JSON.stringify(serializeOutput(page)))).toEqual(
      JSON.parse(JSON.stringify(superjson.serialize(page))),
    );
    const back = roundTrip(page) as typeof page;
    expect(back).toEqual(page);
    expect(back.items[1]!.createdAt).toBeInstanceOf(Date);
  });

  it("leaves data without dates unannotated", () => {
    expect(serializeOutput({ ok: true, n: [1, 2] })).toEqual({ json: { ok: true, n: [1, 2] } });
    const dotted = { "a.b": 1, "c\\d": ["x"] };
    expect(serializeOutput(dotted)).toEqual(superjson.serialize(dotted));
  });

  it("annotates dates deep in arrays and objects at superjson's paths", () => {
    const value = {
      a: [[{ b: new Date(1) }], { c: [null, new Date(2)] }],
      d: { e: { f: new Date(3) } },
      g: new Date(4),
    };
    const wire = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    expect(wire(serializeOutput(value))).toEqual(wire(superjson.serialize(value)));
    const list = [new Date(5), { h: new Date(6) }];
    expect(wire(serializeOutput(list))).toEqual(wire(superjson.serialize(list)));
  });

  it("hands anything beyond plain data to superjson, so the client gets the same values", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const odd = [
      { missing: undefined },
      [undefined, 1],
      new Date(0),
      { m: new Map([["k", 1]]) },
      { s: new Set([1]) },
      { b: 10n },
      { n: Number.NaN, i: Number.POSITIVE_INFINITY, z: -0 },
      { "dotted.key": new Date(0) },
      { invalid: new Date(Number.NaN) },
      { p: new Point(1) },
    ];
    for (const value of odd) {
      expect(serializeOutput(value)).toEqual(superjson.serialize(value));
      expect(roundTrip(value)).toEqual(
        superjson.deserialize(JSON.parse(JSON.stringify(superjson.serialize(value)))),
      );
    }
  });
});

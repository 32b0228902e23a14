// `npm run bench:heap-diff -- before.heapsnapshot after.heapsnapshot [count]`: what grew
// between two V8 heap snapshots (e.g. the ones BENCH_HEAP_SNAPSHOTS writes before and with
// the streams open), summed by object type and constructor, per `count` (streams) when given.
// Shows where per-stream memory goes without opening DevTools.
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

type Totals = Map<string, { count: number; bytes: number }>;

function totals(file: string): Totals {
  const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const byKind: Totals = new Map();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt!]!]!;
    // Strings and code are summed as one kind each: their "names" are their contents.
    const name = type.includes("string")
      ? "(string)"
      : type === "code"
        ? "(code)"
        : snap.strings[snap.nodes[i + nameAt!]!]!.slice(0, 60);
    const key = `${type}: ${name}`;
    const entry = byKind.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + sizeAt!]!;
    byKind.set(key, entry);
  }
  return byKind;
}

const [beforeFile, afterFile, per = "1"] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  console.error("usage: npm run bench:heap-diff -- before.heapsnapshot after.heapsnapshot [count]");
  process.exit(2);
}
const count = Number(per);
const before = totals(beforeFile);
const growth = [...totals(afterFile)].map(([kind, after]) => {
  const was = before.get(kind) ?? { count: 0, bytes: 0 };
  return { kind, count: after.count - was.count, bytes: after.bytes - was.bytes };
});
growth.sort((a, b) => b.bytes - a.bytes);
const total = growth.reduce((sum, g) => sum + g.bytes, 0);
console.log(
  `grew ${(total / 1024).toFixed(0)} KB in all, ${(total / count / 1024).toFixed(1)} KB each`,
);
console.log("bytes each | objects each | type: constructor");
for (const g of growth.slice(0, 40))
  console.log(
    `${(g.bytes / count).toFixed(0).padStart(10)} | ${(g.count / count).toFixed(1).padStart(12)} | ${g.kind}`,
  );

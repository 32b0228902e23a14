/* global console -- a Node script; the lint config gives .mjs files no Node globals */
// Builds dist/ as a package of its own: ESM, one self-contained .d.ts and a package.json,
// so a tool outside the monorepo can `npm install <repo>/packages/client/dist` (or `npm pack`
// it). Inside the monorepo package.json points at src/ and nothing needs building.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "tsup";

const external = ["@trpc/client", "@trpc/server", "eventsource", "superjson"];
// Every other package the server's declarations name (Node's streams, zod, Prisma, the S3
// client, ...) stays an import in stage 1: it vanishes with the context type in stage 2,
// and the dist test proves nothing of it is left.
const serverOnly = [/^(?!@parley\/)[^./]/];

// Stage 1: the code, and declarations with everything @parley/api reaches inlined (the
// paths make the bundler compile the workspace sources instead of leaving
// `import ... from "@parley/api"`, which no outside tool could resolve).
await build({
  config: false,
  entry: { index: "src/index.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  outDir: "dist",
  clean: true,
  silent: true,
  external: [...external, ...serverOnly],
  dts: {
    resolve: true,
    compilerOptions: {
      paths: { "@parley/api": ["../api/src/index.ts"], "@parley/db": ["../db/src/index.ts"] },
    },
  },
});

// Stage 2: the router type carries the server's context type (database, Redis, ...), which
// a client never uses but which drags in Prisma's and ioredis' declarations. Replace it by
// `object` and bundle again, which drops every declaration nothing else refers to.
const full = await readFile("dist/index.d.ts", "utf8");
const erased = eraseTypeAlias(full, "ContextInner", "object");
const stageDir = await mkdtemp(path.join(tmpdir(), "parley-client-types-"));
await writeFile(path.join(stageDir, "index.d.ts"), erased);
await build({
  config: false,
  entry: { index: path.join(stageDir, "index.d.ts") },
  format: ["esm"],
  outDir: "dist",
  silent: true,
  external,
  dts: { only: true },
});
await rm(stageDir, { recursive: true, force: true });

const manifest = JSON.parse(await readFile("package.json", "utf8"));
await writeFile(
  "dist/package.json",
  `${JSON.stringify(
    {
      name: manifest.name,
      version: manifest.version,
      description: "Typed client for the Parley API",
      type: "module",
      exports: { ".": { types: "./index.d.ts", import: "./index.js" } },
      types: "./index.d.ts",
      engines: { node: ">=20" },
      dependencies: manifest.dependencies,
    },
    null,
    2,
  )}\n`,
);
const size = (await readFile("dist/index.d.ts", "utf8")).length;
console.log(
  `@parley/client: dist/index.js, dist/index.d.ts (${Math.round(size / 1024)} KB), dist/package.json`,
);

/** Replaces the body of `type <name> = { ... };` (a top-level declaration) with `replacement`. */
function eraseTypeAlias(source, name, replacement) {
  const start = source.indexOf(`type ${name} = {`);
  if (start < 0) throw new Error(`build: type ${name} not found in the bundled declarations`);
  let depth = 0;
  let i = source.indexOf("{", start);
  for (; i < source.length; i++) {
    if (source[i] === "{") depth++;
    else if (source[i] === "}" && --depth === 0) break;
  }
  const end = source.indexOf(";", i) + 1;
  return `${source.slice(0, start)}type ${name} = ${replacement};${source.slice(end)}`;
}

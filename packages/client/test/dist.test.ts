import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot, startNodeProcess, type NodeProcess } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const clientDir = fileURLToPath(new URL("..", import.meta.url));
const rootModules = path.join(repoRoot, "node_modules");

/**
 * Installs a package's runtime dependencies into `modules` by linking them (and theirs)
 * from the monorepo's node_modules: what `npm install` would fetch, without the network.
 */
function linkDependencies(manifestFile: string, modules: string, seen = new Set<string>()) {
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as {
    dependencies?: Record<string, string>;
  };
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (seen.has(name)) continue;
    seen.add(name);
    const source = path.join(rootModules, name);
    const target = path.join(modules, name);
    mkdirSync(path.dirname(target), { recursive: true });
    if (!existsSync(target)) symlinkSync(source, target, "dir");
    linkDependencies(path.join(source, "package.json"), modules, seen);
  }
}

// A tool outside the monorepo: it gets dist/ (as `npm install <repo>/packages/client/dist`
// would give it) and nothing else of ours — no @parley/api, no tsx, no TypeScript sources.
describe("the built @parley/client, used from outside the monorepo", () => {
  let tool: string;
  let server: NodeProcess;
  let dataDir: string;

  beforeAll(async () => {
    execFileSync(process.execPath, ["scripts/build.mjs"], {
      cwd: clientDir,
      stdio: "pipe",
      timeout: 240_000,
    });
    tool = mkdtempSync(path.join(tmpdir(), "parley-tool-"));
    const modules = path.join(tool, "node_modules");
    cpSync(path.join(clientDir, "dist"), path.join(modules, "@parley", "client"), {
      recursive: true,
    });
    linkDependencies(path.join(modules, "@parley", "client", "package.json"), modules);
    writeFileSync(
      path.join(tool, "package.json"),
      JSON.stringify({ name: "some-tool", type: "module", private: true }),
    );

    dataDir = mkdtempSync(path.join(tmpdir(), "parley-tool-server-"));
    // Embedded database and in-process services: this test is about the client package.
    server = await startNodeProcess("apps/api/src/main.ts", {
      env: { DATA_DIR: dataDir, DATABASE_URL: "", REDIS_URL: "", HOST: "127.0.0.1" },
    });
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    if (tool) rmSync(tool, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("dist holds ESM code, one self-contained .d.ts and a package.json", () => {
    const dist = path.join(clientDir, "dist");
    const manifest = JSON.parse(readFileSync(path.join(dist, "package.json"), "utf8"));
    expect(manifest).toMatchObject({
      name: "@parley/client",
      type: "module",
      exports: { ".": { types: "./index.d.ts", import: "./index.js" } },
    });
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      "@trpc/client",
      "@trpc/server",
      "eventsource",
      "superjson",
    ]);
    const types = readFileSync(path.join(dist, "index.d.ts"), "utf8");
    // The router's types are inlined: nothing refers to workspace packages or server-only ones.
    expect(types).not.toMatch(/from ['"]@parley\//);
    expect(types).not.toMatch(/from ['"](ioredis|@prisma\/|pg|@node-rs\/)/);
    expect(types).toMatch(/register: _trpc_server\.TRPCMutationProcedure/);
  });

  it("a plain Node 20 script signs up, calls typed procedures and uses an API key", () => {
    writeFileSync(
      path.join(tool, "tool.mjs"),
      `import { createParleyClient, signUp } from "@parley/client";
const url = process.argv[2];
const { client, user } = await signUp(url, { username: "tool_user" });
const me = await client.auth.me.query();
const key = await client.auth.apiKeys.create.mutate({ name: "script" });
const viaKey = createParleyClient({ url, apiKey: key.secret });
const again = await viaKey.auth.me.query();
console.log(JSON.stringify({ id: user.id, me: me.username, createdAtIsDate: me.createdAt instanceof Date, via: again.via }));
`,
    );
    const result = spawnSync(process.execPath, ["tool.mjs", server.url], {
      cwd: tool,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.stderr).toBe("");
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output).toMatchObject({ me: "tool_user", createdAtIsDate: true, via: "apiKey" });
  });

  it("type-checks a TypeScript tool against dist: procedures, inputs and outputs are typed", () => {
    mkdirSync(path.join(tool, "node_modules", "@types"), { recursive: true });
    symlinkSync(
      path.join(rootModules, "@types", "node"),
      path.join(tool, "node_modules", "@types", "node"),
      "dir",
    );
    symlinkSync(
      path.join(rootModules, "undici-types"),
      path.join(tool, "node_modules", "undici-types"),
      "dir",
    );
    writeFileSync(
      path.join(tool, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          types: ["node"],
          // @trpc/server's own declarations import the optional `ws` package's types.
          skipLibCheck: true,
        },
        files: ["check.ts"],
      }),
    );
    writeFileSync(
      path.join(tool, "check.ts"),
      `import { createParleyClient, type AppRouter, type ParleyClient } from "@parley/client";
import type { inferRouterOutputs } from "@trpc/server";
const client: ParleyClient = createParleyClient({ url: "http://localhost:3000", token: "t" });
type Me = inferRouterOutputs<AppRouter>["auth"]["me"];
export async function run(): Promise<Me> {
  const me = await client.auth.me.query();
  const username: string = me.username;
  const created: Date = me.createdAt;
  // @ts-expect-error the username is a string
  const wrong: number = me.username;
  // @ts-expect-error login needs a password
  await client.auth.login.mutate({ login: "someone" });
  // @ts-expect-error no such procedure
  await client.auth.nothing.query();
  void [username, created, wrong];
  return me;
}
`,
    );
    const tsc = spawnSync(
      process.execPath,
      [path.join(rootModules, "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
      {
        cwd: tool,
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    // Unused @ts-expect-error lines would fail here, so the types cannot be `any`.
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});

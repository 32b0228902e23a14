// Configuration for the Prisma CLI only (generate, migrate deploy, migrate diff). The app
// builds its own client in src/client.ts. engine "js" runs the bundled WebAssembly schema
// engine through a driver adapter, so the CLI never downloads a native binary.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";
import { cliAdapterFor, defaultPgliteDir } from "./scripts/cli-adapter.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const databaseUrl = process.env.DATABASE_URL;
// The schema's `url = env("DATABASE_URL")` must hold a valid postgres URL even when PGlite
// is used, or the CLI cannot read the schema and falls back to downloading a native engine.
process.env.DATABASE_URL ||= "postgresql://pglite.invalid/embedded";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(here, "prisma", "schema.prisma"),
  migrations: { path: path.join(here, "prisma", "migrations") },
  adapter: () => cliAdapterFor(databaseUrl ?? defaultPgliteDir(here)),
});

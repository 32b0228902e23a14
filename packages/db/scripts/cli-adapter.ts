import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import pg from "pg";

export function defaultPgliteDir(packageDir: string): string {
  return process.env.DATA_DIR
    ? path.resolve(process.env.DATA_DIR, "pglite")
    : path.resolve(packageDir, "..", "..", ".data", "pglite");
}

/** The WebAssembly schema engine cannot read `name` columns (OID 19) through adapter-pg
 * (prisma/orm#27403); reporting them as text (OID 25) is enough for the CLI. */
function readNameColumnsAsText(): void {
  const result = pg.Result.prototype as unknown as {
    addFields(fields: { dataTypeID: number }[]): void;
    __parleyPatched?: boolean;
  };
  if (result.__parleyPatched) return;
  const addFields = result.addFields;
  result.addFields = function (fields) {
    for (const field of fields) if (field.dataTypeID === 19) field.dataTypeID = 25;
    return addFields.call(this, fields);
  };
  result.__parleyPatched = true;
}

/** One PGlite per data directory for the whole CLI run. Prisma's CLI builds its adapter
 * twice in one `migrate deploy`; two PGlite instances on one directory each keep their own
 * buffers, and whichever wrote last won: now and then the directory was left empty. */
const cliClients = new Map<string, { client: PGlite; open: number }>();

function sharedClient(dataDir: string) {
  let entry = cliClients.get(dataDir);
  if (!entry || entry.client.closed) {
    entry = { client: new PGlite(dataDir), open: 0 };
    cliClients.set(dataDir, entry);
  }
  return entry;
}

/** pglite-prisma-adapter 0.6 does not await scripts (a failing migration would pass) and
 * never closes PGlite (the CLI would not exit). Both are fixed here for the CLI: the shared
 * client closes when the last adapter using it is disposed. */
function pgliteForCli(dataDir: string) {
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  // The client is chosen at connect time, so building the factory opens nothing.
  const factory = new PrismaPGlite(undefined as unknown as PGlite);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const entry = sharedClient(dataDir);
    (factory as unknown as { client: PGlite }).client = entry.client;
    const adapter = await connect();
    entry.open += 1;
    adapter.executeScript = async (script: string) => {
      await entry.client.exec(script);
    };
    adapter.dispose = async () => {
      entry.open -= 1;
      if (entry.open > 0) return;
      cliClients.delete(dataDir);
      await entry.client.close();
    };
    return adapter;
  };
  return factory;
}

/** `target` is a postgres:// URL or a PGlite data directory. */
export async function cliAdapterFor(target: string) {
  if (/^postgres(ql)?:\/\//.test(target)) {
    readNameColumnsAsText();
    return new PrismaPg({ connectionString: target });
  }
  // Older bundled adapter types (see src/client.ts); the runtime contract matches.
  return pgliteForCli(target) as unknown as PrismaPg;
}

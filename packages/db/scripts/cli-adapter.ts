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

/** pglite-prisma-adapter 0.6 does not await scripts (a failing migration would pass) and
 * never closes PGlite (the CLI would not exit). Both are fixed here for the CLI. */
function pgliteForCli(dataDir: string) {
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir);
  const factory = new PrismaPGlite(client);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    adapter.executeScript = async (script: string) => {
      await client.exec(script);
    };
    adapter.dispose = async () => {
      await client.close();
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

import { accessSync, constants, existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { testEnv } from "./env";
import { servicesRequired } from "./services";

/**
 * Server binaries the multi-replica tests start privately (so they can stop and restart
 * them without touching the shared Postgres and Redis other tests use).
 */
export interface ServerBinaries {
  /** Folder with initdb, pg_ctl and postgres. */
  postgresBin: string;
  redisServer: string;
  nginx: string;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of testEnv().searchPath.split(path.delimiter).concat(["/usr/sbin", "/usr/bin"])) {
    const file = path.join(dir, name);
    if (dir && executable(file)) return file;
  }
  return undefined;
}

/** Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<major>/bin, off PATH: take the newest. */
function findPostgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((v) => executable(path.join(root, v, "bin", "pg_ctl")))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return path.join(root, majors[0], "bin");
  }
  const pgCtl = onPath("pg_ctl");
  return pgCtl && executable(path.join(path.dirname(pgCtl), "initdb"))
    ? path.dirname(pgCtl)
    : undefined;
}

/** The binaries, or the list of what is missing. */
export function findServerBinaries(): ServerBinaries | { missing: string[] } {
  const postgresBin = findPostgresBin();
  const redisServer = onPath("redis-server");
  const nginx = onPath("nginx");
  const missingList = [
    !postgresBin && "PostgreSQL server (initdb, pg_ctl: apt-get install postgresql)",
    !redisServer && "redis-server (apt-get install redis-server)",
    !nginx && "nginx (apt-get install nginx-light)",
  ].filter((v): v is string => Boolean(v));
  if (missingList.length) return { missing: missingList };
  return { postgresBin: postgresBin!, redisServer: redisServer!, nginx: nginx! };
}

/** Reason to skip tests that need these binaries, or false when all are present. Under
 * REQUIRE_SERVICES=1 a missing binary throws instead: CI must never skip them. */
export function missingServerBinaries(): string | false {
  const found = findServerBinaries();
  if (!("missing" in found)) return false;
  const reason = `missing ${found.missing.join(", ")}`;
  if (servicesRequired) throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
  return reason;
}

export function serverBinaries(): ServerBinaries {
  const found = findServerBinaries();
  if ("missing" in found) throw new Error(`missing ${found.missing.join(", ")}`);
  return found;
}

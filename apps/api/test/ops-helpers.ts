import { existsSync } from "node:fs";
import { TRPCClientError } from "@parley/client";
import { servicesRequired } from "@parley/testing";

export { startTestServer, type TestServer } from "../src/testing";

/** One tRPC call over real HTTP (superjson envelope), returning status, body and headers. */
export async function callProcedure(
  base: string,
  procedure: string,
  options: {
    input?: unknown;
    method?: "GET" | "POST";
    headers?: Record<string, string>;
    /** A fetch that trusts a test CA, for HTTPS. */
    fetch?: typeof fetch;
  } = {},
) {
  const method = options.method ?? (options.input === undefined ? "GET" : "POST");
  const url = new URL(`${base}/trpc/${procedure}`);
  const init: RequestInit = { method, headers: { ...options.headers } };
  if (method === "GET" && options.input !== undefined) {
    url.searchParams.set("input", JSON.stringify({ json: options.input }));
  } else if (method === "POST") {
    init.body = JSON.stringify({ json: options.input ?? null });
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const response = await (options.fetch ?? fetch)(url, init);
  const body = (await response.json().catch(() => null)) as {
    result?: { data?: { json?: unknown } };
    error?: { json?: { data?: { code?: string } } };
  } | null;
  return {
    status: response.status,
    headers: response.headers,
    data: body?.result?.data?.json as unknown,
    errorCode: body?.error?.json?.data?.code,
  };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format: samples, and the declared type of each family. */
export function parsePrometheusText(text: string): {
  samples: Sample[];
  types: Map<string, string>;
} {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const typeLine = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typeLine) {
      types.set(typeLine[1]!, typeLine[2]!);
      continue;
    }
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!match) throw new Error(`unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? "").matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[key!] = raw!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

/** Every series name a scrape declares: families, plus a histogram's _bucket/_sum/_count. */
export function exportedSeriesNames(types: Map<string, string>): Set<string> {
  const names = new Set<string>();
  for (const [family, type] of types) {
    names.add(family);
    if (type === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(family + suffix);
    if (type === "summary") for (const suffix of ["_sum", "_count"]) names.add(family + suffix);
  }
  return names;
}

export async function scrape(base: string, token?: string) {
  const response = await fetch(`${base}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parsePrometheusText(await response.text());
}

/** The path of a command-line tool, or undefined. */
export function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/bin"])) {
    const file = `${dir}/${name}`;
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

/** Reason to skip a test that needs a Debian tool, or false. Under REQUIRE_SERVICES=1 (CI)
 * a missing tool is an error: those tests must run there. */
export function missingTool(name: string, aptPackage: string): string | false {
  if (findTool(name)) return false;
  const reason = `${name} not installed (apt-get install ${aptPackage})`;
  if (servicesRequired) throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
  return reason;
}

/** "OK", or the tRPC error code a call through @parley/client failed with. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { code: string }).code;
    throw error;
  }
}

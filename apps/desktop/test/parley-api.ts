import type { RunningServer } from "@parley/server";
import { startTestServer } from "@parley/server/testing";

export interface TestParleyApi {
  server: RunningServer;
  /** http://127.0.0.1:PORT */
  url: string;
  stop(): Promise<void>;
}

/**
 * The real Parley API in this process on a free port: a fresh Postgres database when
 * DATABASE_URL is set (Redis too with REDIS_URL), else PGlite in a temporary folder.
 */
export async function startParleyApi(
  extraEnv: Record<string, string> = {},
): Promise<TestParleyApi> {
  const started = await startTestServer({ NODE_ENV: "test", ...extraEnv });
  return { server: started.server, url: started.base, stop: () => started.stop() };
}

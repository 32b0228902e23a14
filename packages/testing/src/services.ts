import { testEnv } from "./env";

/**
 * Which real services a test run has. Without DATABASE_URL tests use embedded PGlite; with
 * REQUIRE_SERVICES=1 (CI) a missing service is an error, never a silent skip.
 */
export const servicesRequired = testEnv().requireServices;

export function postgresUrl(): string | undefined {
  const url = testEnv().databaseUrl;
  if (!url && servicesRequired) throw new Error("REQUIRE_SERVICES=1 but DATABASE_URL is not set");
  return url || undefined;
}

export function redisUrl(): string | undefined {
  const url = testEnv().redisUrl;
  if (!url && servicesRequired) throw new Error("REQUIRE_SERVICES=1 but REDIS_URL is not set");
  return url || undefined;
}

/** Reason to skip a test that needs a service, or false when it can run. Under
 * REQUIRE_SERVICES=1 this throws instead of skipping. */
export function missing(service: "postgres" | "redis"): string | false {
  const url = service === "postgres" ? postgresUrl() : redisUrl();
  return url
    ? false
    : `${service} not configured (set ${service === "postgres" ? "DATABASE_URL" : "REDIS_URL"})`;
}

/** What a test run is on, for test names: e.g. "Postgres + Redis" or "PGlite + in-process". */
export function backendName(): string {
  return `${postgresUrl() ? "Postgres" : "PGlite"} + ${redisUrl() ? "Redis" : "in-process"}`;
}

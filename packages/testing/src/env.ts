// What the test stack reads from the environment of the test run, in one place. Read on
// each call: a test may change a variable for the processes it starts.

export function testEnv() {
  const env = process.env;
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    /** CI sets REQUIRE_SERVICES=1: a missing service is an error, never a silent skip. */
    requireServices: env.REQUIRE_SERVICES === "1",
    chromiumPath: env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    searchPath: env.PATH ?? "",
  };
}

/** The environment a child process starts from: this run's own, plus `extra`. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

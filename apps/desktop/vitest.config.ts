import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "desktop",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // As the web app's browser tests: a reply streams for seconds on a busy machine, and
    // poll's default second failed CI waiting for the notification a finished reply sends.
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});

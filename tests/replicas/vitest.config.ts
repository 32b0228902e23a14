import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "replicas",
    include: ["**/*.test.ts"],
    // Real processes: three API replicas, nginx, PostgreSQL and Redis of their own.
    testTimeout: 90_000,
    hookTimeout: 240_000,
  },
});

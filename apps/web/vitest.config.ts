import { defineProject } from "vitest/config";

// Browser end-to-end tests: the real API (in-process), the real database, the model fixture
// and Debian's Chromium. One file at a time: they share the machine's two cores.
export default defineProject({
  test: {
    name: "e2e",
    include: ["e2e/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // Streams take seconds, not milliseconds: expect.poll waits for what a person would.
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});

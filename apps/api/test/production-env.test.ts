import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env";
import { guessableSecretReason } from "../src/secret-strength";
import { startServer } from "../src/server";

const dataDir = mkdtempSync(path.join(tmpdir(), "parley-prod-env-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const PUBLISHED = "Jq8vR2mZt5LwX0cN3bY7hKdP4sFgA9eU";
const strong = () => randomBytes(48).toString("base64");
const production = (vars: Record<string, string>) =>
  loadEnv({
    NODE_ENV: "production",
    DATA_DIR: dataDir,
    METRICS_TOKEN: strong(),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ...vars,
  });

describe("JWT_SECRET in production", () => {
  it.each([
    ["32 × a", "a".repeat(32), /one short pattern repeated/],
    ["a repeated pair", "ab".repeat(24), /one short pattern repeated/],
    ["a placeholder", "change-me-to-something-long-and-random", /well-known word "change"/],
    ["another placeholder", "your-jwt-secret-goes-here-0123456789", /well-known word "secret"/],
    ["40 spaces", " ".repeat(40), /whitespace/],
    ["a secret with a space", `${strong().slice(0, 30)} ${strong().slice(0, 30)}`, /whitespace/],
    ["few characters", "0101010110010110100101101001011010", /distinct characters/],
    ["low entropy", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaqwxyzjk", /too predictable/],
    ["the test suite's secret", "test-secret-that-is-long-enough-0123456789", /guessable/],
    // Random-looking, but published: it is in this very file.
    [
      "a value from the repository",
      PUBLISHED,
      /appears in apps\/api\/test\/production-env\.test\.ts/,
    ],
  ])("refuses %s, saying why", (_name, secret, why) => {
    expect(() => production({ JWT_SECRET: secret })).toThrow(why);
  });

  it("accepts what `openssl rand` makes: base64 and hex", () => {
    for (let i = 0; i < 200; i++) {
      expect(guessableSecretReason(randomBytes(48).toString("base64"))).toBeNull();
      expect(guessableSecretReason(randomBytes(16).toString("hex"))).toBeNull();
      expect(guessableSecretReason(randomBytes(32).toString("base64url"))).toBeNull();
    }
    const secret = strong();
    expect(production({ JWT_SECRET: secret }).JWT_SECRET).toBe(secret);
  });

  it("keeps development free to use any 32+ character secret", () => {
    expect(loadEnv({ DATA_DIR: dataDir, JWT_SECRET: "a".repeat(32) }).JWT_SECRET).toBe(
      "a".repeat(32),
    );
  });
});

describe("/metrics in production", () => {
  it("refuses to start with /metrics open on the API port", () => {
    expect(() =>
      loadEnv({
        NODE_ENV: "production",
        DATA_DIR: dataDir,
        JWT_SECRET: strong(),
        ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      }),
    ).toThrow(/METRICS_TOKEN: required in production.*METRICS_BIND/);
    expect(() => production({ JWT_SECRET: strong(), METRICS_BIND: "not a host" })).toThrow(
      /METRICS_BIND: must be host:port/,
    );
    expect(() =>
      production({ JWT_SECRET: strong(), METRICS_BIND: "0.0.0.0:3000", PORT: "3000" }),
    ).toThrow(/METRICS_BIND: must name a port other than PORT/);
  });

  it(
    "with METRICS_BIND serves /metrics only on that private listener",
    { timeout: 120_000 },
    async () => {
      const env = loadEnv({
        NODE_ENV: "production",
        DATA_DIR: dataDir,
        JWT_SECRET: strong(),
        ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        METRICS_BIND: "127.0.0.1:0",
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "silent",
        WEB_DIST: path.join(dataDir, "no-web"),
      });
      const server = await startServer(env);
      try {
        expect(server.metricsPort).toBeGreaterThan(0);
        expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).not.toBe(200);
        const scraped = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
        expect(scraped.status).toBe(200);
        expect(await scraped.text()).toContain("parley_");
      } finally {
        await server.close();
      }
    },
  );
});

describe("the generated JWT secret file", () => {
  it("is written with mode 0600, whatever the umask", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "parley-secret-"));
    const previous = process.umask(0o000);
    try {
      loadEnv({ DATA_DIR: dir });
    } finally {
      process.umask(previous);
    }
    expect(statSync(path.join(dir, "jwt-secret")).mode & 0o777).toBe(0o600);
    rmSync(dir, { recursive: true, force: true });
  });

  it("is made private again when it was left readable by others", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "parley-secret-"));
    const file = path.join(dir, "jwt-secret");
    writeFileSync(file, strong());
    chmodSync(file, 0o644);
    loadEnv({ DATA_DIR: dir });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    rmSync(dir, { recursive: true, force: true });
  });
});

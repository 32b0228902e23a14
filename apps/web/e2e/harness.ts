import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import { servicesRequired } from "@parley/testing";
import { chromiumMissing, launchChromium } from "@parley/testing/chromium";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from "playwright-core";
import type { RunningServer } from "@parley/server";
import { startTestServer } from "@parley/server/testing";

const here = path.dirname(fileURLToPath(import.meta.url));
export const webDist = path.resolve(here, "..", "dist");
export const repoRoot = path.resolve(here, "..", "..", "..");

/** Why the browser tests cannot run here, or false. Under REQUIRE_SERVICES=1 a missing
 * browser or build is an error, never a silent skip. */
export function browserMissing(): string | false {
  const reason =
    chromiumMissing() ||
    (!existsSync(path.join(webDist, "index.html"))
      ? `the web app is not built (${webDist}/index.html missing): run \`npm run build -w @parley/web\` (npm run test:e2e does)`
      : false);
  if (reason && servicesRequired) throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
  return reason;
}

export interface StackOptions {
  fixtureDefaults?: { ttftMs?: number; chunkDelayMs?: number };
  /** false: no model provider configured (the fixture still runs, unused). */
  provider?: boolean;
  /** Extra environment for the API (e.g. OIDC_* for a provider the test started). */
  env?: Record<string, string>;
}

export interface Stack {
  baseUrl: string;
  server: RunningServer;
  fixture: ModelFixture;
  /** Which database the API runs on, as the app reports it. */
  databaseKind: string;
  close(): Promise<void>;
}

/**
 * The real thing, in-process: the API serving the built web app, on a fresh database
 * (Postgres when DATABASE_URL is set, else PGlite in a temp dir), Redis when REDIS_URL is
 * set, and the model fixture as the OpenAI-compatible provider.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const fixture = await startModelFixture({
    models: ["fixture-small", "fixture-large"],
    defaults: { ttftMs: 40, chunkDelayMs: 15, ...options.fixtureDefaults },
  });
  const started = await startTestServer({
    NODE_ENV: "test",
    WEB_DIST: webDist,
    ...(options.provider === false
      ? {}
      : {
          OPENAI_BASE_URL: fixture.baseUrl,
          OPENAI_API_KEY: "fixture",
          AI_MODELS: "fixture-small,fixture-large",
          AI_DEFAULT_MODEL: "fixture-small",
        }),
    ...options.env,
  }).catch(async (error: unknown) => {
    await fixture.close();
    throw error;
  });
  return {
    baseUrl: started.base,
    server: started.server,
    fixture,
    databaseKind: started.server.deps.db.kind,
    async close() {
      await started.stop();
      await fixture.close();
    },
  };
}

export const launchBrowser = launchChromium;

export interface PageProblems {
  /** Uncaught errors, console errors and CSP violations seen by the page. */
  errors: string[];
  cspViolations: string[];
  /** Set to true by any payload that manages to run script. */
  xssFired(): Promise<boolean>;
}

/**
 * A fresh context (its own cookies and storage) and page that records console errors,
 * uncaught exceptions and CSP violations, so a test can assert the page stayed clean.
 */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ baseURL: baseUrl, acceptDownloads: true, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  const cspViolations: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  // A payload that reaches alert()/confirm() has run script.
  page.on("dialog", (dialog) => {
    xss = true;
    void dialog.dismiss();
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    if (/Content Security Policy|Content-Security-Policy/i.test(text)) cspViolations.push(text);
    // Expected: failed calls the app handles (401 before sign-in, a 4xx the test provokes).
    else if (!/Failed to load resource/.test(text)) errors.push(`console: ${text}`);
  });
  await context.exposeBinding("__parleyXss", () => {
    xss = true;
  });
  let xss = false;
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} sample=${event.sample}`,
      );
    });
  });
  return { context, page, problems: { errors, cspViolations, xssFired: async () => xss } };
}

export interface BrowserSession {
  /** The running stack; only valid inside tests (it starts in beforeAll). */
  readonly stack: Stack;
  readonly browser: Browser;
  /** A fresh, problem-recording page on the stack: `openPage(browser, stack.baseUrl, options)`. */
  openPage(options?: BrowserContextOptions): ReturnType<typeof openPage>;
}

/**
 * Starts a stack and a browser before the enclosing describe's tests and closes both after
 * them. Call it at the top of a describe block; read `stack`/`browser` only inside tests.
 */
export function useBrowserSession(
  options: { env?: () => Promise<Record<string, string>>; provider?: boolean } = {},
): BrowserSession {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    stack = await startStack({
      ...(options.env ? { env: await options.env() } : {}),
      ...(options.provider === false ? { provider: false } : {}),
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the browser session's ${name} is not started yet`);
    return value;
  };
  return {
    get stack() {
      return started(stack, "stack");
    },
    get browser() {
      return started(browser, "browser");
    },
    openPage(options) {
      return openPage(started(browser, "browser"), started(stack, "stack").baseUrl, options);
    },
  };
}

/** A unique, valid username for this run. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export const screenshotsDir = path.join(repoRoot, "docs", "screenshots");

import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventChannels } from "../src/shared/ipc";
import {
  buildDesktop,
  chromiumMissing,
  createMainSide,
  installPreloadDouble,
  launchChromium,
  register,
  send,
  serveRenderer,
  watchPage,
  type MainSide,
} from "./harness";
import { startParleyApi, type TestParleyApi } from "./parley-api";

// The desktop renderer (the shared UI in its desktop shell), built by electron-vite and
// served to Debian's Chromium exactly as the main process serves app://parley/ (same files,
// same CSP). Electron's preload cannot run in a plain browser, so a TEST DOUBLE of the
// preload contract provides window.parleyDesktop; behind it run the real main-process
// handlers (server check, settings, token vault, notifier, link opener), with only
// Electron's own APIs (safeStorage, Notification, shell) replaced. The API is the real
// Parley server in this process, with the model fixture as its OpenAI-compatible provider.

const skip = chromiumMissing();

describe.skipIf(skip !== false)(
  skip
    ? `desktop renderer in Chromium (SKIPPED: ${skip})`
    : "desktop renderer in Chromium, with a test double of the preload",
  () => {
    let build: Awaited<ReturnType<typeof buildDesktop>>;
    let browser: Browser;
    let fixture: ModelFixture;
    let api: TestParleyApi;
    let renderer: Awaited<ReturnType<typeof serveRenderer>>;
    let main: MainSide;
    const contexts: BrowserContext[] = [];
    const dataDirs: string[] = [];

    beforeAll(async () => {
      build = await buildDesktop();
      browser = await launchChromium();
      fixture = await startModelFixture({
        models: ["fixture-small"],
        defaults: { ttftMs: 20, chunkDelayMs: 10 },
      });
      renderer = await serveRenderer(
        path.join(build.outDir, "renderer"),
        () => main?.settings.get().serverUrl ?? null,
      );
      api = await startParleyApi({
        // The renderer's origin, as an administrator would add app://parley.
        CORS_ORIGINS: renderer.url,
        OPENAI_BASE_URL: fixture.baseUrl,
        OPENAI_API_KEY: "fixture",
        AI_MODELS: "fixture-small",
        AI_DEFAULT_MODEL: "fixture-small",
      });
    });

    afterEach(async () => {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
    });

    afterAll(async () => {
      await browser?.close();
      await renderer?.close();
      await api?.stop();
      await fixture?.close();
      await build?.cleanup();
      await Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
    });

    /** A fresh "installation": its own user-data folder, browser storage and preload double. */
    async function openDesktop(backend: "gnome_libsecret" | "basic_text" = "gnome_libsecret") {
      main = await createMainSide({ appUrl: () => `${renderer.url}/index.html`, backend });
      dataDirs.push(main.dataDir);
      const context = await browser.newContext();
      contexts.push(context);
      await installPreloadDouble(context, main);
      const page = await context.newPage();
      const problems = watchPage(page);
      return { context, page, problems };
    }

    it("first run: explains an unreachable and a non-Parley server, then connects and remembers it", async () => {
      const { page, problems } = await openDesktop();
      await page.goto(`${renderer.url}/index.html`);
      await page.getByRole("heading", { name: "Welcome to Parley" }).waitFor();
      const address = page.getByLabel("Server address");
      expect(await address.inputValue()).toBe("http://localhost:3000");

      const closedPort = await freePort();
      await address.fill(`127.0.0.1:${closedPort}`);
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await expect
        .poll(() => page.getByRole("alert").textContent())
        .toBe(
          `Could not reach http://127.0.0.1:${closedPort}: the connection was refused. Is the server running and the address right?`,
        );

      // The renderer's own static server answers, but it is not Parley.
      await address.fill(renderer.url);
      await page.getByRole("button", { name: "Test connection" }).click();
      await expect
        .poll(() => page.getByRole("alert").textContent())
        .toContain("answered /healthz with HTTP 404");
      expect(main.settings.get().serverUrl).toBeNull();

      await address.fill(api.url);
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      // Saved in the main process, then the page reloads under a CSP that names the server.
      // It has no account yet, so once it has said so the screen is the first account's
      // sign-up (sign-in shows only until the registration info arrives).
      await page.locator('[aria-busy="false"]').waitFor();
      await page.getByRole("heading", { name: "Create your Parley account" }).waitFor();
      expect(main.settings.get().serverUrl).toBe(api.url);
      expect(
        JSON.parse(await readFile(path.join(main.dataDir, "settings.json"), "utf8")).serverUrl,
      ).toBe(api.url);
      const csp =
        (await fetch(`${renderer.url}/index.html`)).headers.get("content-security-policy") ?? "";
      expect(csp).toContain(`connect-src 'self' ${api.url}`);
      expect(
        await page
          .getByRole("button", { name: `Server: ${new URL(api.url).host}. Change server` })
          .isVisible(),
      ).toBe(true);

      expect(problems.cspViolations).toEqual([]);
      expect(problems.errors).toEqual([]);
    });

    it("signs in, streams a reply from the real API, keeps the refresh token in the keychain and survives a restart", async () => {
      const { page, problems } = await openDesktop("gnome_libsecret");
      await main.settings.update({ serverUrl: api.url });
      await page.goto(`${renderer.url}/index.html`);
      await register(page);

      // The refresh token went through the bridge into the (stand-in) keychain, encrypted on
      // disk, and nowhere into the page's own storage.
      const token = await main.vault.get();
      expect(token).toEqual(expect.any(String));
      expect(existsSync(path.join(main.dataDir, "refresh-token.bin"))).toBe(true);
      const pageStorage = await page.evaluate(
        () =>
          JSON.stringify({ ...localStorage }) +
          JSON.stringify({ ...sessionStorage }) +
          document.cookie,
      );
      expect(pageStorage).not.toContain(token!);

      // Records whether the page ever showed the reply part-way: streamed, not delivered whole.
      await page.evaluate(() => {
        const state = window as unknown as { __partialReplySeen: boolean };
        state.__partialReplySeen = false;
        new MutationObserver(() => {
          const text = document.body.innerText;
          if (text.includes("w1 w2 w3") && !text.includes("w40")) state.__partialReplySeen = true;
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await send(page, "Count for me [[fixture words=40 delay=15]]");
      await page.getByText("w38 w39 w40", { exact: false }).first().waitFor();
      await page.getByRole("button", { name: "Send" }).waitFor();
      expect(
        await page.evaluate(
          () => (window as unknown as { __partialReplySeen: boolean }).__partialReplySeen,
        ),
      ).toBe(true);
      expect(fixture.calls.at(-1)?.messages.at(-1)?.content).toContain("Count for me");

      // The window goes to the background; the next reply ends with a native notification.
      main.windowVisibility = { visible: false, minimized: false, focused: false };
      await page.evaluate(() => {
        (window as unknown as { __parleyTestHidden: boolean }).__parleyTestHidden = true;
      });
      await send(page, "One more [[fixture words=5]]");
      await expect.poll(() => main.notifications.length).toBe(1);
      expect(main.notifications[0]?.title).toBe("Reply ready");
      await page.evaluate(() => {
        (window as unknown as { __parleyTestHidden: boolean }).__parleyTestHidden = false;
      });

      // Restart: new vault on the same files, page loaded afresh with no access token in memory.
      main.restart();
      await page.reload();
      await page.getByRole("button", { name: "New chat" }).waitFor();

      expect(problems.cspViolations).toEqual([]);
      expect(problems.errors).toEqual([]);
    });

    it("opens links in replies through the checked external opener, never inside the app", async () => {
      const { page, problems } = await openDesktop();
      await main.settings.update({ serverUrl: api.url });
      await page.goto(`${renderer.url}/index.html`);
      await register(page);
      const reply = encodeURIComponent("See [the docs](https://example.com/docs) please");
      await send(page, `Link please [[fixture reply=${reply}]]`);
      // The conversation's title in the sidebar is a link too; the reply's link is in the messages.
      const link = page
        .getByTestId("messages")
        .getByRole("link", { name: "the docs", exact: true });
      await link.click();
      await expect.poll(() => main.externalLinks).toEqual(["https://example.com/docs"]);
      expect(page.url()).toContain(renderer.url);
      expect(problems.errors).toEqual([]);
    });

    it("without a secure keychain (basic_text) keeps no token, says so, and asks to sign in after a restart", async () => {
      const { page, problems } = await openDesktop("basic_text");
      await main.settings.update({ serverUrl: api.url });
      await page.goto(`${renderer.url}/index.html`);
      await page
        .getByRole("note")
        .getByText(/No system keychain/)
        .waitFor();
      await register(page);
      expect(existsSync(path.join(main.dataDir, "refresh-token.bin"))).toBe(false);

      main.restart();
      await page.reload();
      await page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();
      expect(problems.errors).toEqual([]);
    });

    it("opens Server… from the menu and refuses a bad address there without losing the current server", async () => {
      const { page } = await openDesktop();
      await main.settings.update({ serverUrl: api.url });
      await page.goto(`${renderer.url}/index.html`);
      await page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();
      await page.evaluate(
        (event) => window.dispatchEvent(new Event(event)),
        eventChannels.onOpenServerSettings,
      );
      const dialog = page.getByRole("dialog", { name: "Server settings" });
      await dialog.waitFor();
      await dialog.getByLabel("Server address").fill("file:///etc/passwd");
      await dialog.getByRole("button", { name: "Connect", exact: true }).click();
      await expect
        .poll(() => dialog.getByRole("alert").textContent())
        .toContain("must start with http:// or https://");
      expect(main.settings.get().serverUrl).toBe(api.url);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "detached" });
      // Escape closes it too.
      await page.evaluate(
        (event) => window.dispatchEvent(new Event(event)),
        eventChannels.onOpenServerSettings,
      );
      await dialog.getByLabel("Server address").press("Escape");
      await dialog.waitFor({ state: "detached" });
    });

    it("refuses bridge calls from a page on another origin (the sender check, with real frame URLs)", async () => {
      const { page } = await openDesktop();
      await main.vault.set("a-refresh-token");
      // The same preload double is injected here, but the calling frame is the API's origin.
      await page.goto(`${api.url}/healthz`);
      const error = await page.evaluate(() =>
        (
          window as unknown as { parleyDesktop: { getRefreshToken(): Promise<string> } }
        ).parleyDesktop
          .getRefreshToken()
          .then(
            () => "answered",
            (e: Error) => e.message,
          ),
      );
      expect(error).toContain("sender is not the Parley app");
      expect(main.refusedCalls.at(-1)).toContain(`${api.url}/healthz`);
    });
  },
);

if (skip) console.warn(`[desktop] SKIPPED the Chromium renderer tests: ${skip}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { contentSecurityPolicy } from "../src/main/csp";
import { createExternalOpener } from "../src/main/external";
import { createIpcHandlers } from "../src/main/handlers";
import { registerIpcHandlers, type IpcMainLike, type SenderEvent } from "../src/main/ipc";
import { createReplyNotifier, type WindowVisibility } from "../src/main/notifications";
import { createRendererFileResponder } from "../src/main/renderer-files";
import { checkParleyServer } from "../src/main/server-check";
import { createSettingsStore, type SettingsStore } from "../src/main/settings-store";
import { createTokenVault, type SafeStorageLike, type TokenVault } from "../src/main/token-vault";
import { bridgeGlobalName, eventChannels, invokeChannels } from "../src/shared/ipc";
import { serverOrigin } from "../src/shared/server-url";

export const desktopDir = fileURLToPath(new URL("..", import.meta.url));
export { chromiumMissing, launchChromium } from "@parley/testing/chromium";

/** `electron-vite build` into a fresh folder (so a parallel `npm run build` never races it). */
export async function buildDesktop(): Promise<{ outDir: string; cleanup(): Promise<void> }> {
  const outDir = await mkdtemp(path.join(tmpdir(), "parley-desktop-build-"));
  // The package's exports do not list its bin, so go through package.json.
  const bin = path.join(
    path.dirname(createRequire(import.meta.url).resolve("electron-vite/package.json")),
    "bin",
    "electron-vite.js",
  );
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [bin, "build", "--outDir", outDir, "--logLevel", "warn"],
      {
        cwd: desktopDir,
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let log = "";
    child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(log)
        : reject(new Error(`electron-vite build failed (${code}):\n${log}`)),
    );
  });
  for (const file of ["main/index.js", "preload/index.cjs", "renderer/index.html"]) {
    if (!existsSync(path.join(outDir, file)))
      throw new Error(`build did not produce ${file}:\n${output}`);
  }
  return { outDir, cleanup: () => rm(outDir, { recursive: true, force: true }) };
}

/**
 * Serves the built renderer over HTTP exactly as the main process serves app://parley/:
 * the same responder, the same CSP naming the server chosen so far.
 */
export async function serveRenderer(
  rendererDir: string,
  serverUrl: () => string | null,
): Promise<{ url: string; close(): Promise<void> }> {
  const respond = createRendererFileResponder({
    rendererDir,
    host: null,
    contentSecurityPolicy: () => {
      const server = serverUrl();
      return contentSecurityPolicy({ serverOrigin: server ? serverOrigin(server) : null });
    },
  });
  const server: Server = createServer((req, res) => {
    void respond(`http://renderer${req.url ?? "/"}`).then((response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (response.body) Readable.fromWeb(response.body as never).pipe(res);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Electron's safeStorage cannot run here (no binary, no keychain): a reversible stand-in,
 * with the backend the test chooses ("basic_text" makes the vault refuse to store).
 */
export function fakeSafeStorage(backend: "gnome_libsecret" | "basic_text"): SafeStorageLike {
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.from(`enc:${Buffer.from(plain).toString("base64")}`),
    decryptString: (encrypted) => Buffer.from(encrypted.toString().slice(4), "base64").toString(),
  };
}

/** The main process's side, built from the real modules; only Electron's own APIs
 * (safeStorage, Notification, shell, window state) are stand-ins. */
export interface MainSide {
  settings: SettingsStore;
  vault: TokenVault;
  notifications: { title: string; body: string }[];
  externalLinks: string[];
  refusedCalls: string[];
  /** What the notifier believes about the window; tests flip it to "hidden". */
  windowVisibility: WindowVisibility;
  /** A fresh vault on the same files, as after restarting the app. */
  restart(): void;
  ipc: IpcMainLike & {
    invoke(channel: string, event: SenderEvent, args: unknown[]): Promise<unknown>;
  };
  dataDir: string;
}

export async function createMainSide(opts: {
  appUrl: () => string;
  backend: "gnome_libsecret" | "basic_text";
}): Promise<MainSide> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "parley-desktop-user-data-"));
  const listeners = new Map<string, (event: SenderEvent, ...args: unknown[]) => unknown>();
  const side: MainSide = {
    settings: createSettingsStore(path.join(dataDir, "settings.json")),
    vault: undefined as unknown as TokenVault,
    notifications: [],
    externalLinks: [],
    refusedCalls: [],
    windowVisibility: { visible: true, minimized: false, focused: true },
    restart() {
      side.settings = createSettingsStore(path.join(dataDir, "settings.json"));
      side.vault = createTokenVault({
        safeStorage: fakeSafeStorage(opts.backend),
        platform: "linux",
        file: path.join(dataDir, "refresh-token.bin"),
      });
      listeners.clear();
      registerIpcHandlers(
        side.ipc,
        createIpcHandlers({
          settings: side.settings,
          vault: side.vault,
          checkServer: (url) =>
            checkParleyServer(url, { appOrigin: new URL(opts.appUrl()).origin }),
          notifyReply: createReplyNotifier({
            isSupported: () => true,
            windowVisibility: () => side.windowVisibility,
            show: (title, body) => side.notifications.push({ title, body }),
            focusWindow: () => {},
          }),
          openExternal: createExternalOpener(async (url) => {
            side.externalLinks.push(url);
          }),
        }),
        { appUrl: opts.appUrl, log: (message) => side.refusedCalls.push(message) },
      );
    },
    ipc: {
      handle(channel, listener) {
        listeners.set(channel, listener);
      },
      async invoke(channel, event, args) {
        const listener = listeners.get(channel);
        if (!listener) throw new Error(`no handler for ${channel}`);
        return listener(event, ...args);
      },
    },
    dataDir,
  };
  side.restart();
  return side;
}

/**
 * A test double of the preload: the same `window.parleyDesktop` surface (one function per
 * contract message), but each call travels through a Playwright binding instead of
 * Electron's IPC. The binding passes the calling frame's real URL as the sender, so the
 * main side's sender check runs for real. "Server…" from the menu is simulated with a DOM
 * event, and `document.hidden` (the window being hidden, which a headless browser never
 * is) is controlled by the test through `window.__parleyTestHidden`.
 */
export async function installPreloadDouble(context: BrowserContext, main: MainSide): Promise<void> {
  await context.exposeBinding("__parleyIpc", async ({ frame }, channel: string, args: unknown[]) =>
    main.ipc.invoke(channel, { senderFrame: { url: frame.url() } }, args),
  );
  await context.addInitScript(
    ({ channels, menuEvent, globalName }) => {
      const ipc = (
        window as unknown as { __parleyIpc: (c: string, a: unknown[]) => Promise<unknown> }
      ).__parleyIpc;
      const call =
        (method: keyof typeof channels) =>
        (...args: unknown[]) =>
          ipc(channels[method], args);
      Object.defineProperty(window, globalName, {
        value: Object.freeze({
          getServerUrl: call("getServerUrl"),
          checkServerUrl: call("checkServerUrl"),
          saveServerUrl: call("saveServerUrl"),
          getRefreshToken: call("getRefreshToken"),
          setRefreshToken: call("setRefreshToken"),
          getTokenStorage: call("getTokenStorage"),
          notifyReplyComplete: call("notifyReplyComplete"),
          openExternal: call("openExternal"),
          onOpenServerSettings: (listener: () => void) => {
            const wrapped = () => listener();
            window.addEventListener(menuEvent, wrapped);
            return () => window.removeEventListener(menuEvent, wrapped);
          },
          os: "linux",
        }),
      });
      Object.defineProperty(Document.prototype, "hidden", {
        get: () =>
          (window as unknown as { __parleyTestHidden?: boolean }).__parleyTestHidden === true,
      });
      document.addEventListener("securitypolicyviolation", (event) => {
        console.error(
          `Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    },
    {
      channels: invokeChannels,
      menuEvent: eventChannels.onOpenServerSettings,
      globalName: bridgeGlobalName,
    },
  );
}

/** Records what would make a user (or a security review) unhappy: uncaught errors,
 * console errors and CSP violations. */
export function watchPage(page: Page): { errors: string[]; cspViolations: string[] } {
  const errors: string[] = [];
  const cspViolations: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    if (/Content Security Policy|Content-Security-Policy/i.test(text)) cspViolations.push(text);
    // A 401 before sign-in, or a check the test provokes, shows up as a failed resource.
    else if (!/Failed to load resource/.test(text)) errors.push(`console: ${text}`);
  });
  return { errors, cspViolations };
}

export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Creates an account through the shared UI's sign-up form; resolves once signed in. A fresh
 * server opens on that form; otherwise it is one click from sign-in. */
export async function register(page: Page): Promise<string> {
  const name = uniqueName("desk");
  const heading = page.getByRole("heading", {
    name: /^(Sign in to Parley|Create your Parley account)$/,
  });
  await heading.waitFor();
  await page.locator('[aria-busy="false"]').waitFor();
  if ((await heading.textContent()) === "Sign in to Parley")
    await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Create your Parley account" }).waitFor();
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Email").fill(`${name}@example.com`);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("button", { name: "New chat" }).waitFor();
  return name;
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel("Message", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

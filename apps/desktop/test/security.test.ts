import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { isAppUrl, packagedAppUrl } from "../src/main/app-origin";
import { contentSecurityPolicy } from "../src/main/csp";
import { loadDesktopEnv } from "../src/main/env";
import { checkExternalUrl, createExternalOpener } from "../src/main/external";
import { allowPermission, guardNavigation } from "../src/main/navigation";
import { mainWindowOptions } from "../src/main/window-options";

// No Electron binary here: these tests drive the main-process modules with small stand-ins
// for WebContents and shell, the only parts that need Electron.

describe("BrowserWindow options", () => {
  it("carry every security flag of Electron's checklist", () => {
    const options = mainWindowOptions({
      preloadPath: "/app/out/preload/index.cjs",
      bounds: { x: 10, y: 20, width: 900, height: 700, maximized: false },
      os: "linux",
    });
    expect(options.webPreferences).toMatchObject({
      preload: "/app/out/preload/index.cjs",
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
    expect(options).toMatchObject({ x: 10, y: 20, width: 900, height: 700, show: false });
    expect(options.titleBarStyle).toBeUndefined();
  });

  it("inset the native traffic lights on macOS and keep the native frame elsewhere", () => {
    const bounds = { x: 0, y: 0, width: 900, height: 700, maximized: false };
    expect(mainWindowOptions({ preloadPath: "p", bounds, os: "darwin" }).titleBarStyle).toBe(
      "hiddenInset",
    );
    expect(mainWindowOptions({ preloadPath: "p", bounds, os: "win32" }).frame).not.toBe(false);
  });
});

/** A stand-in for WebContents: an event emitter plus the window-open hook. */
function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((details: { url: string }) => { action: "deny" }) | undefined;
  const contents = Object.assign(emitter, {
    setWindowOpenHandler(handler: (details: { url: string }) => { action: "deny" }) {
      openHandler = handler;
    },
  });
  const navigate = (event: "will-navigate" | "will-redirect", url: string) => {
    const preventDefault = vi.fn();
    emitter.emit(event, { preventDefault }, url);
    return preventDefault.mock.calls.length > 0;
  };
  return { contents, navigate, windowOpen: (url: string) => openHandler!({ url }) };
}

describe("navigation guard", () => {
  const setup = (appUrl = packagedAppUrl) => {
    const fake = fakeContents();
    const opened: string[] = [];
    const openExternal = createExternalOpener(async (url) => {
      opened.push(url);
    });
    guardNavigation(fake.contents, { appUrl, openExternal });
    return { ...fake, opened };
  };

  it("lets the page move within the app's own origin", () => {
    const { navigate } = setup();
    expect(navigate("will-navigate", "app://parley/index.html#/c/123")).toBe(false);
    expect(navigate("will-navigate", "app://parley/other.html")).toBe(false);
  });

  it("denies navigation and redirects to another origin, sending web links to the browser", async () => {
    const { navigate, opened } = setup();
    expect(navigate("will-navigate", "https://evil.example/phish")).toBe(true);
    expect(navigate("will-redirect", "https://evil.example/next")).toBe(true);
    expect(navigate("will-navigate", "app://other-host/index.html")).toBe(true);
    expect(navigate("will-navigate", "file:///etc/passwd")).toBe(true);
    await Promise.resolve();
    expect(opened).toEqual(["https://evil.example/phish", "https://evil.example/next"]);
  });

  it("in development trusts only the dev server's origin", () => {
    const { navigate } = setup("http://localhost:5173/");
    expect(navigate("will-navigate", "http://localhost:5173/#/settings")).toBe(false);
    expect(navigate("will-navigate", "http://localhost:3000/")).toBe(true);
    expect(navigate("will-navigate", "app://parley/index.html")).toBe(true);
  });

  it("denies every window.open, opening only http(s) links externally", async () => {
    const { windowOpen, opened } = setup();
    expect(windowOpen("https://example.com/docs")).toEqual({ action: "deny" });
    expect(windowOpen("app://parley/index.html")).toEqual({ action: "deny" });
    expect(windowOpen("javascript:alert(1)")).toEqual({ action: "deny" });
    expect(windowOpen("file:///etc/passwd")).toEqual({ action: "deny" });
    await Promise.resolve();
    expect(opened).toEqual(["https://example.com/docs"]);
  });

  it("refuses webview tags", () => {
    const { contents } = setup();
    const preventDefault = vi.fn();
    contents.emit("will-attach-webview", { preventDefault });
    expect(preventDefault).toHaveBeenCalled();
  });
});

describe("openExternal", () => {
  it.each([
    ["file:///etc/passwd", "file:"],
    ["javascript:alert(document.cookie)", "javascript:"],
    ["JavaScript:alert(1)", "javascript:"],
    ["data:text/html,<script>alert(1)</script>", "data:"],
    ["smb://attacker/share", "smb:"],
    ["vbscript:msgbox", "vbscript:"],
  ])("refuses %s", async (url, protocol) => {
    const shellOpen = vi.fn(async () => {});
    const result = await createExternalOpener(shellOpen)(url);
    expect(result).toEqual({
      opened: false,
      reason: `${protocol} links are not opened, only http and https`,
    });
    expect(shellOpen).not.toHaveBeenCalled();
  });

  it("refuses links with credentials, garbage and oversized input", async () => {
    const shellOpen = vi.fn(async () => {});
    const open = createExternalOpener(shellOpen);
    expect(await open("https://user:pass@example.com/")).toMatchObject({ opened: false });
    expect(await open("not a url")).toMatchObject({ opened: false, reason: "not a valid URL" });
    expect(await open(42)).toMatchObject({ opened: false });
    expect(await open(`https://example.com/${"a".repeat(3000)}`)).toMatchObject({
      opened: false,
      reason: "URL too long",
    });
    expect(shellOpen).not.toHaveBeenCalled();
  });

  it("opens http and https links, normalized", async () => {
    const shellOpen = vi.fn(async (_url: string) => {});
    const open = createExternalOpener(shellOpen);
    expect(await open("https://Example.com/a b")).toEqual({ opened: true });
    expect(await open("http://localhost:3000/")).toEqual({ opened: true });
    expect(shellOpen.mock.calls.map((c) => c[0])).toEqual([
      "https://example.com/a%20b",
      "http://localhost:3000/",
    ]);
    expect(checkExternalUrl("https://example.com")).toEqual({
      ok: true,
      url: "https://example.com/",
    });
  });
});

describe("permissions", () => {
  it("grant only clipboard writes and full screen, only to the app itself", () => {
    expect(
      allowPermission("clipboard-sanitized-write", "app://parley/index.html", packagedAppUrl),
    ).toBe(true);
    expect(
      allowPermission("clipboard-sanitized-write", "https://evil.example/", packagedAppUrl),
    ).toBe(false);
    for (const permission of [
      "media",
      "geolocation",
      "notifications",
      "openExternal",
      "clipboard-read",
    ]) {
      expect(allowPermission(permission, "app://parley/index.html", packagedAppUrl)).toBe(false);
    }
  });
});

describe("the app origin", () => {
  it("compares scheme, host and port", () => {
    expect(isAppUrl("app://parley/x.js", packagedAppUrl)).toBe(true);
    expect(isAppUrl("app://parley.evil/x.js", packagedAppUrl)).toBe(false);
    expect(isAppUrl("https://parley/x.js", packagedAppUrl)).toBe(false);
    expect(isAppUrl("http://localhost:5174/", "http://localhost:5173/")).toBe(false);
    expect(isAppUrl("not a url", packagedAppUrl)).toBe(false);
  });

  it("packaged builds ignore ELECTRON_RENDERER_URL; development accepts only loopback http", () => {
    expect(loadDesktopEnv(true, { ELECTRON_RENDERER_URL: "https://evil.example/" })).toEqual({
      rendererDevUrl: null,
    });
    expect(loadDesktopEnv(false, { ELECTRON_RENDERER_URL: "http://localhost:5173" })).toEqual({
      rendererDevUrl: "http://localhost:5173/",
    });
    expect(() => loadDesktopEnv(false, { ELECTRON_RENDERER_URL: "https://evil.example/" })).toThrow(
      /loopback/,
    );
  });
});

describe("Content-Security-Policy", () => {
  const directives = (csp: string) =>
    Object.fromEntries(csp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));

  it("allows scripts only from the app and the network only to the chosen server", () => {
    const csp = directives(contentSecurityPolicy({ serverOrigin: "https://chat.example.com" }));
    expect(csp["script-src"]).toEqual(["'self'"]);
    expect(csp["connect-src"]).toEqual(["'self'", "https://chat.example.com"]);
    expect(csp["object-src"]).toEqual(["'none'"]);
    expect(csp["frame-src"]).toEqual(["'none'"]);
    expect(csp["base-uri"]).toEqual(["'none'"]);
    expect(csp["manifest-src"]).toEqual(["'none'"]);
    expect(JSON.stringify(csp)).not.toContain("unsafe-eval");
  });

  it("before a server is chosen, allows no network beyond the app", () => {
    expect(directives(contentSecurityPolicy({ serverOrigin: null }))["connect-src"]).toEqual([
      "'self'",
    ]);
  });

  it("relaxes inline scripts only for the development server (React Fast Refresh)", () => {
    const csp = directives(
      contentSecurityPolicy({ serverOrigin: null, devServerOrigin: "http://localhost:5173" }),
    );
    expect(csp["script-src"]).toContain("'unsafe-inline'");
    expect(csp["connect-src"]).toContain("ws://localhost:5173");
    expect(directives(contentSecurityPolicy({ serverOrigin: null }))["script-src"]).not.toContain(
      "'unsafe-inline'",
    );
  });
});

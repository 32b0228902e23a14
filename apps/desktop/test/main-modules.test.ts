import { EventEmitter } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MenuItemConstructorOptions } from "electron";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createIpcHandlers } from "../src/main/handlers";
import { buildMenuTemplate } from "../src/main/menu";
import { createReplyNotifier, type WindowVisibility } from "../src/main/notifications";
import { createRendererFileResponder } from "../src/main/renderer-files";
import { createSettingsStore } from "../src/main/settings-store";
import { createTokenVault } from "../src/main/token-vault";
import { restoreWindowBounds, trackWindowBounds } from "../src/main/window-state";
import { normalizeServerUrl } from "../src/shared/server-url";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "parley-desktop-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("settings file", () => {
  it("remembers the server and window bounds across restarts", async () => {
    const file = path.join(dir, "settings.json");
    const store = createSettingsStore(file);
    expect(store.get()).toEqual({ serverUrl: null, windowBounds: null });
    await store.update({ serverUrl: "https://chat.example.com" });
    await store.update({ windowBounds: { x: 5, y: 6, width: 800, height: 600, maximized: true } });
    expect(createSettingsStore(file).get()).toEqual({
      serverUrl: "https://chat.example.com",
      windowBounds: { x: 5, y: 6, width: 800, height: 600, maximized: true },
    });
  });

  it("starts from defaults when the file is damaged or hand-edited into nonsense", async () => {
    const file = path.join(dir, "settings.json");
    await writeFile(file, "{not json");
    expect(createSettingsStore(file).get()).toEqual({ serverUrl: null, windowBounds: null });
    await writeFile(
      file,
      JSON.stringify({ serverUrl: "javascript:alert(1)", windowBounds: { x: "a" } }),
    );
    expect(createSettingsStore(file).get()).toEqual({ serverUrl: null, windowBounds: null });
  });

  it("keeps no token in the settings file", async () => {
    const file = path.join(dir, "settings.json");
    await createSettingsStore(file).update({ serverUrl: "http://localhost:3000" });
    expect(await readFile(file, "utf8")).not.toMatch(/token/i);
  });
});

describe("server address", () => {
  it.each([
    ["localhost:3000", "http://localhost:3000"],
    ["  https://chat.example.com/ ", "https://chat.example.com"],
    ["https://example.com/parley/", "https://example.com/parley"],
    ["HTTP://LOCALHOST:3000", "http://localhost:3000"],
  ])("normalizes %j to %s", (input, url) => {
    expect(normalizeServerUrl(input)).toEqual({ ok: true, url });
  });

  it.each([
    ["", /Enter the address/],
    ["ftp://example.com", /http:\/\/ or https:\/\//],
    ["file:///etc", /http:\/\/ or https:\/\//],
    ["https://user:pw@example.com", /user name or password/],
    ["https://example.com/?x=1", /\?/],
    ["http://exa mple.com", /not a valid address/],
  ])("refuses %j", (input, message) => {
    const result = normalizeServerUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe("window bounds", () => {
  const display = { x: 0, y: 0, width: 1920, height: 1080 };

  it("reopens where the window was when that is still on a display", () => {
    const saved = { x: 100, y: 50, width: 1000, height: 700, maximized: false };
    expect(restoreWindowBounds(saved, [display])).toEqual(saved);
  });

  it("centres the default size when the saved spot is on an unplugged monitor", () => {
    const saved = { x: 3000, y: 50, width: 1000, height: 700, maximized: true };
    expect(restoreWindowBounds(saved, [display])).toEqual({
      x: 410,
      y: 160,
      width: 1100,
      height: 760,
      maximized: true,
    });
    expect(restoreWindowBounds(null, [display])).toMatchObject({
      width: 1100,
      height: 760,
      maximized: false,
    });
  });

  it("saves normal bounds after moves settle and on close", () => {
    vi.useFakeTimers();
    try {
      const win = Object.assign(new EventEmitter(), {
        getNormalBounds: () => ({ x: 1, y: 2, width: 900, height: 650 }),
        isMaximized: () => false,
      });
      const save = vi.fn();
      trackWindowBounds(win, save, 500);
      win.emit("move");
      win.emit("resize");
      expect(save).not.toHaveBeenCalled();
      vi.advanceTimersByTime(500);
      expect(save).toHaveBeenCalledTimes(1);
      win.emit("close");
      expect(save).toHaveBeenLastCalledWith({
        x: 1,
        y: 2,
        width: 900,
        height: 650,
        maximized: false,
      });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("renderer files on app://parley/", () => {
  const setup = async () => {
    const rendererDir = path.join(dir, "renderer");
    await mkdir(path.join(rendererDir, "assets"), { recursive: true });
    await writeFile(path.join(rendererDir, "index.html"), "<!doctype html><div id=root></div>");
    await writeFile(path.join(rendererDir, "assets", "app.js"), "console.log(1)");
    await writeFile(path.join(dir, "secret.txt"), "outside");
    return createRendererFileResponder({
      rendererDir,
      contentSecurityPolicy: () => "default-src 'self'",
    });
  };

  it("serves the page with the CSP header and assets with their types", async () => {
    const serve = await setup();
    const page = await serve("app://parley/index.html");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe("default-src 'self'");
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect((await serve("app://parley/")).status).toBe(200);
    const script = await serve("app://parley/assets/app.js");
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(await script.text()).toBe("console.log(1)");
  });

  it("serves nothing outside the renderer folder or for another host", async () => {
    const serve = await setup();
    expect((await serve("app://parley/../secret.txt")).status).toBe(404);
    expect((await serve("app://parley/%2e%2e/secret.txt")).status).toBe(404);
    expect((await serve("app://parley/assets/%2e%2e%2f..%2fsecret.txt")).status).toBe(404);
    expect((await serve("app://parley/missing.js")).status).toBe(404);
    expect((await serve("app://other/index.html")).status).toBe(404);
  });
});

describe("application menu", () => {
  const flatten = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
    items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);

  it("has the usual editing shortcuts and Server… on Cmd/Ctrl+,", () => {
    for (const os of ["darwin", "linux", "win32"]) {
      const openServerSettings = vi.fn();
      const items = flatten(buildMenuTemplate({ os, isDev: false, openServerSettings }));
      const roles = items.map((i) => i.role).filter(Boolean);
      for (const role of [
        "undo",
        "redo",
        "cut",
        "copy",
        "paste",
        "selectAll",
        "reload",
        "zoomIn",
        "zoomOut",
        "togglefullscreen",
        "minimize",
      ]) {
        expect(roles, `${os} has ${role}`).toContain(role);
      }
      expect(roles).not.toContain("toggleDevTools");
      const server = items.find((i) => i.label === "Server…");
      expect(server?.accelerator).toBe("CmdOrCtrl+,");
      (server?.click as () => void)();
      expect(openServerSettings).toHaveBeenCalled();
    }
  });

  it("offers developer tools only in development", () => {
    const items = flatten(
      buildMenuTemplate({ os: "linux", isDev: true, openServerSettings: () => {} }),
    );
    expect(items.map((i) => i.role)).toContain("toggleDevTools");
  });
});

describe("reply notifications", () => {
  const setup = (state: WindowVisibility | null) => {
    const show = vi.fn();
    const focusWindow = vi.fn();
    const notify = createReplyNotifier({
      isSupported: () => true,
      windowVisibility: () => state,
      show,
      focusWindow,
    });
    return { notify, show, focusWindow };
  };

  it("stay quiet while the user watches the window", () => {
    const { notify, show } = setup({ visible: true, minimized: false, focused: true });
    expect(notify("Reply ready", "Hello")).toBe(false);
    expect(show).not.toHaveBeenCalled();
  });

  it.each([
    ["hidden", { visible: false, minimized: false, focused: false }],
    ["minimized", { visible: true, minimized: true, focused: false }],
    ["behind another app", { visible: true, minimized: false, focused: false }],
  ])("show when the window is %s, and clicking brings it back", (_name, state) => {
    const { notify, show, focusWindow } = setup(state);
    expect(notify("Reply ready", "Hello")).toBe(true);
    expect(show).toHaveBeenCalledWith("Reply ready", "Hello", focusWindow);
  });
});

describe("saving the server", () => {
  // safeStorage stand-in (no Electron binary here): a keychain that "encrypts" reversibly.
  const safeStorage = {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => "gnome_libsecret",
    encryptString: (plain: string) => Buffer.from(plain).reverse(),
    decryptString: (encrypted: Buffer) => Buffer.from(encrypted).reverse().toString(),
  };
  const setup = (reachable: Set<string>) => {
    const settings = createSettingsStore(path.join(dir, "settings.json"));
    const vault = createTokenVault({
      safeStorage,
      platform: "linux",
      file: path.join(dir, "token.bin"),
    });
    const handlers = createIpcHandlers({
      settings,
      vault,
      checkServer: async (url) =>
        reachable.has(url)
          ? { ok: true, url }
          : { ok: false, problem: "unreachable", message: `Could not reach ${url}` },
      notifyReply: () => {},
      openExternal: async () => ({ opened: true }),
    });
    return { settings, vault, handlers };
  };

  it("keeps the old server and the session when the new one fails the check", async () => {
    const { settings, vault, handlers } = setup(new Set(["http://a.example"]));
    await handlers.saveServerUrl("http://a.example");
    await vault.set("token-for-a");
    expect(await handlers.saveServerUrl("http://b.example")).toMatchObject({ ok: false });
    expect(settings.get().serverUrl).toBe("http://a.example");
    expect(await vault.get()).toBe("token-for-a");
  });

  it("forgets the refresh token when switching to another server, not when saving the same one", async () => {
    const { settings, vault, handlers } = setup(new Set(["http://a.example", "http://b.example"]));
    await handlers.saveServerUrl("http://a.example");
    await vault.set("token-for-a");
    await handlers.saveServerUrl("http://a.example");
    expect(await vault.get()).toBe("token-for-a");
    await handlers.saveServerUrl("http://b.example");
    expect(settings.get().serverUrl).toBe("http://b.example");
    expect(await vault.get()).toBeNull();
  });
});

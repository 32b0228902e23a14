import { describe, expect, it, vi } from "vitest";
import { packagedAppUrl } from "../src/main/app-origin";
import {
  registerIpcHandlers,
  type IpcHandlers,
  type IpcMainLike,
  type SenderEvent,
} from "../src/main/ipc";
import { invokeChannels, type InvokeMethod } from "../src/shared/ipc";

// A stand-in for Electron's ipcMain that records the handlers, so each can be invoked the
// way Electron would, with an event naming the frame that sent it.
function fakeIpcMain() {
  const listeners = new Map<string, (event: SenderEvent, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      if (listeners.has(channel)) throw new Error(`second handler for ${channel}`);
      listeners.set(channel, listener);
    },
  };
  const invoke = async (method: InvokeMethod, frameUrl: string | null, ...args: unknown[]) => {
    const listener = listeners.get(invokeChannels[method]);
    if (!listener) throw new Error(`no handler for ${method}`);
    return listener({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
  };
  return { ipcMain, invoke, listeners };
}

function handlers(): IpcHandlers & { [K in InvokeMethod]: ReturnType<typeof vi.fn> } {
  return {
    getServerUrl: vi.fn(() => "http://localhost:3000"),
    checkServerUrl: vi.fn(async (url: string) => ({ ok: true as const, url })),
    saveServerUrl: vi.fn(async (url: string) => ({ ok: true as const, url })),
    getRefreshToken: vi.fn(async () => "secret-refresh-token"),
    setRefreshToken: vi.fn(async () => ({ persistent: true, reason: null })),
    getTokenStorage: vi.fn(() => ({ persistent: true, reason: null })),
    notifyReplyComplete: vi.fn(() => {}),
    openExternal: vi.fn(async () => ({ opened: true as const })),
  };
}

describe("IPC handlers", () => {
  const setup = () => {
    const fake = fakeIpcMain();
    const impl = handlers();
    const log = vi.fn();
    registerIpcHandlers(fake.ipcMain, impl, { appUrl: () => packagedAppUrl, log });
    return { ...fake, impl, log };
  };

  it("register exactly one handler per message of the contract", () => {
    const { listeners } = setup();
    expect([...listeners.keys()].sort()).toEqual(Object.values(invokeChannels).sort());
  });

  it("answer the app's own page", async () => {
    const { invoke, impl } = setup();
    expect(await invoke("getRefreshToken", "app://parley/index.html#/c/1")).toBe(
      "secret-refresh-token",
    );
    expect(
      await invoke("saveServerUrl", "app://parley/index.html", "http://localhost:3000"),
    ).toEqual({
      ok: true,
      url: "http://localhost:3000",
    });
    expect(impl.saveServerUrl).toHaveBeenCalledWith("http://localhost:3000");
  });

  it.each([
    ["another website", "https://evil.example/"],
    ["a look-alike custom host", "app://parley.evil/index.html"],
    ["a local file", "file:///tmp/evil.html"],
    ["the API server itself", "http://localhost:3000/"],
  ])("refuse a call from %s without running the handler", async (_name, frameUrl) => {
    const { invoke, impl, log } = setup();
    await expect(invoke("getRefreshToken", frameUrl)).rejects.toThrow(
      /sender is not the Parley app/,
    );
    await expect(invoke("setRefreshToken", frameUrl, "stolen")).rejects.toThrow(
      /sender is not the Parley app/,
    );
    expect(impl.getRefreshToken).not.toHaveBeenCalled();
    expect(impl.setRefreshToken).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining(frameUrl));
  });

  it("refuse a call whose frame is already gone", async () => {
    const { invoke, impl } = setup();
    await expect(invoke("openExternal", null, "https://example.com")).rejects.toThrow(/refused/);
    expect(impl.openExternal).not.toHaveBeenCalled();
  });

  it("refuse arguments of the wrong type or size", async () => {
    const { invoke, impl } = setup();
    const app = "app://parley/index.html";
    await expect(invoke("saveServerUrl", app, { toString: () => "x" })).rejects.toThrow(
      /url must be a string/,
    );
    await expect(invoke("checkServerUrl", app, "h".repeat(2049))).rejects.toThrow(
      /longer than 2048/,
    );
    await expect(invoke("setRefreshToken", app, 12)).rejects.toThrow(/token must be a string/);
    await expect(invoke("setRefreshToken", app, "t".repeat(5000))).rejects.toThrow(
      /longer than 4096/,
    );
    expect(impl.saveServerUrl).not.toHaveBeenCalled();
    expect(impl.setRefreshToken).not.toHaveBeenCalled();
    await invoke("setRefreshToken", app, null);
    expect(impl.setRefreshToken).toHaveBeenCalledWith(null);
  });

  it("cut long notification text to a preview", async () => {
    const { invoke, impl } = setup();
    await invoke(
      "notifyReplyComplete",
      "app://parley/index.html",
      "t".repeat(500),
      "b".repeat(5000),
    );
    const [title, body] = impl.notifyReplyComplete.mock.calls[0]!;
    expect(title).toHaveLength(200);
    expect(body).toHaveLength(1000);
  });
});

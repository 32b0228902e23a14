import {
  invokeChannels,
  ipcLimits,
  type InvokeArgs,
  type InvokeMethod,
  type InvokeResult,
} from "../shared/ipc";
import { isAppUrl } from "./app-origin";

/** What the main process implements: one function per bridge method, typed by the contract. */
export type IpcHandlers = {
  [M in InvokeMethod]: (...args: InvokeArgs<M>) => Promise<InvokeResult<M>> | InvokeResult<M>;
};

/** The part of an IPC event the sender check reads (Electron's IpcMainInvokeEvent has it). */
export interface SenderEvent {
  senderFrame: { url: string } | null;
}

/** The part of `ipcMain` used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => unknown): void;
}

export class IpcRefusedError extends Error {}

/**
 * Only the app's own page may call the main process. A frame from anywhere else (an
 * injected iframe, a page the window was somehow navigated to) is refused, and so is a
 * frame that is already gone (Electron reports it as null).
 */
export function isTrustedSender(event: SenderEvent, appUrl: string): boolean {
  const frame = event.senderFrame;
  return frame !== null && isAppUrl(frame.url, appUrl);
}

const string =
  (max: number, what: string) =>
  (value: unknown): string => {
    if (typeof value !== "string") throw new IpcRefusedError(`${what} must be a string`);
    if (value.length > max) throw new IpcRefusedError(`${what} is longer than ${max} characters`);
    return value;
  };
const url = string(ipcLimits.url, "url");

/** Checks what arrives from the renderer: it is untrusted input like any request body. */
const argParsers: { [M in InvokeMethod]: (args: unknown[]) => InvokeArgs<M> } = {
  getServerUrl: () => [],
  checkServerUrl: ([value]) => [url(value)],
  saveServerUrl: ([value]) => [url(value)],
  getRefreshToken: () => [],
  setRefreshToken: ([value]) => [value === null ? null : string(ipcLimits.token, "token")(value)],
  getTokenStorage: () => [],
  // Long replies are cut rather than refused: the notification is a preview.
  notifyReplyComplete: ([title, body]) => [
    string(10_000, "title")(title).slice(0, ipcLimits.notificationTitle),
    string(1_000_000, "body")(body).slice(0, ipcLimits.notificationBody),
  ],
  openExternal: ([value]) => [url(value)],
};

export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  handlers: IpcHandlers,
  opts: { appUrl: () => string; log?: (message: string) => void },
): void {
  for (const method of Object.keys(invokeChannels) as InvokeMethod[]) {
    const channel = invokeChannels[method];
    ipcMain.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(event, opts.appUrl())) {
        opts.log?.(`refused ${channel} from ${event.senderFrame?.url ?? "a destroyed frame"}`);
        throw new IpcRefusedError(`${channel} refused: the sender is not the Parley app`);
      }
      const parsed = argParsers[method](args);
      const handler = handlers[method] as (...a: unknown[]) => unknown;
      return handler(...parsed);
    });
  }
}

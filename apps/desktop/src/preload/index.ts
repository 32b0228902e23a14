/**
 * The only thing the sandboxed renderer gets from Electron: `window.parleyDesktop`, one named
 * function per IPC message of the shared contract. No generic send/invoke and no
 * `process.env` are exposed, so a script in the page cannot reach any other channel.
 */
import { contextBridge, ipcRenderer } from "electron";
import {
  bridgeGlobalName,
  eventChannels,
  invokeChannels,
  type DesktopBridge,
  type InvokeArgs,
  type InvokeMethod,
  type InvokeResult,
} from "../shared/ipc";

function invoke<M extends InvokeMethod>(
  method: M,
  ...args: InvokeArgs<M>
): Promise<InvokeResult<M>> {
  return ipcRenderer.invoke(invokeChannels[method], ...args) as Promise<InvokeResult<M>>;
}

const bridge: DesktopBridge = {
  getServerUrl: () => invoke("getServerUrl"),
  checkServerUrl: (url) => invoke("checkServerUrl", url),
  saveServerUrl: (url) => invoke("saveServerUrl", url),
  getRefreshToken: () => invoke("getRefreshToken"),
  setRefreshToken: (token) => invoke("setRefreshToken", token),
  getTokenStorage: () => invoke("getTokenStorage"),
  notifyReplyComplete: (title, body) => invoke("notifyReplyComplete", title, body),
  openExternal: (url) => invoke("openExternal", url),
  onOpenServerSettings: (listener) => {
    // The IPC event object is not passed on: it carries `sender`, a handle into Electron.
    const wrapped = () => listener();
    ipcRenderer.on(eventChannels.onOpenServerSettings, wrapped);
    return () => {
      ipcRenderer.removeListener(eventChannels.onOpenServerSettings, wrapped);
    };
  },
  os: process.platform,
};

contextBridge.exposeInMainWorld(bridgeGlobalName, bridge);

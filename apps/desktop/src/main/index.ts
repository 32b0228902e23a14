/**
 * The Electron main process: wiring only. Every decision (which URLs, which flags, which
 * tokens) lives in the small modules beside this file, which take Electron's APIs as
 * arguments and are unit-tested without the Electron binary.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from "electron";
import { eventChannels } from "../shared/ipc";
import { serverOrigin } from "../shared/server-url";
import { appScheme, originOf, packagedAppUrl } from "./app-origin";
import { contentSecurityPolicy } from "./csp";
import { loadDesktopEnv } from "./env";
import { createExternalOpener } from "./external";
import { createIpcHandlers } from "./handlers";
import { registerIpcHandlers } from "./ipc";
import { buildMenuTemplate } from "./menu";
import { allowPermission, guardNavigation } from "./navigation";
import { createReplyNotifier } from "./notifications";
import { createRendererFileResponder } from "./renderer-files";
import { checkParleyServer } from "./server-check";
import { createSettingsStore } from "./settings-store";
import { createTokenVault } from "./token-vault";
import { mainWindowOptions } from "./window-options";
import { restoreWindowBounds, trackWindowBounds } from "./window-state";

const log = (message: string) => console.log(`[parley] ${message}`);
const env = loadDesktopEnv(app.isPackaged);
const appUrl = env.rendererDevUrl ?? packagedAppUrl;
const appOrigin = originOf(appUrl);
const preloadPath = fileURLToPath(new URL("../preload/index.cjs", import.meta.url));
const rendererDir = fileURLToPath(new URL("../renderer", import.meta.url));

// Must happen before `ready`: app:// becomes a secure, standard origin with fetch support.
protocol.registerSchemesAsPrivileged([
  {
    scheme: appScheme,
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
]);
// Every renderer sandboxed, including any created by a future code path we forget to flag.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another Parley is running; it receives 'second-instance' and comes to the front.
  app.quit();
} else {
  app.whenReady().then(start, (error: unknown) => {
    console.error(error);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const userData = app.getPath("userData");
  const settings = createSettingsStore(path.join(userData, "settings.json"));
  const vault = createTokenVault({
    safeStorage,
    platform: process.platform,
    file: path.join(userData, "refresh-token.bin"),
  });
  let mainWindow: BrowserWindow | null = null;

  const csp = () => {
    const server = settings.get().serverUrl;
    return contentSecurityPolicy({
      serverOrigin: server ? serverOrigin(server) : null,
      devServerOrigin: env.rendererDevUrl ? appOrigin : null,
    });
  };
  const serveRenderer = createRendererFileResponder({ rendererDir, contentSecurityPolicy: csp });
  protocol.handle(appScheme, (request) => serveRenderer(request.url));
  if (env.rendererDevUrl) {
    session.defaultSession.webRequest.onHeadersReceived(
      { urls: [`${appOrigin}/*`] },
      (details, callback) => {
        callback({
          responseHeaders: { ...details.responseHeaders, "Content-Security-Policy": [csp()] },
        });
      },
    );
  }
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(allowPermission(permission, details.requestingUrl, appUrl));
  });
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    allowPermission(permission, requestingOrigin, appUrl),
  );

  const openExternal = createExternalOpener((url) => shell.openExternal(url), log);
  // Every web contents, not just the main window's, stays on the app's origin.
  app.on("web-contents-created", (_event, contents) => {
    guardNavigation(contents, { appUrl, openExternal });
  });

  const focusWindow = () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };
  const notifyReply = createReplyNotifier({
    isSupported: () => Notification.isSupported(),
    windowVisibility: () =>
      mainWindow && !mainWindow.isDestroyed()
        ? {
            visible: mainWindow.isVisible(),
            minimized: mainWindow.isMinimized(),
            focused: mainWindow.isFocused(),
          }
        : null,
    show: (title, body, onClick) => {
      const notification = new Notification({ title, body });
      notification.on("click", onClick);
      notification.show();
    },
    focusWindow,
  });

  registerIpcHandlers(
    ipcMain,
    createIpcHandlers({
      settings,
      vault,
      checkServer: (url) => checkParleyServer(url, { appOrigin }),
      notifyReply,
      openExternal,
    }),
    { appUrl: () => appUrl, log },
  );

  const openServerSettings = () => {
    focusWindow();
    mainWindow?.webContents.send(eventChannels.onOpenServerSettings);
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({ os: process.platform, isDev: !app.isPackaged, openServerSettings }),
    ),
  );

  const createWindow = () => {
    const displays = screen.getAllDisplays().map((d) => d.workArea);
    const primary = screen.getPrimaryDisplay().workArea;
    const bounds = restoreWindowBounds(settings.get().windowBounds, [primary, ...displays]);
    const win = new BrowserWindow(mainWindowOptions({ preloadPath, bounds, os: process.platform }));
    if (bounds.maximized) win.maximize();
    trackWindowBounds(win, (windowBounds) => {
      settings
        .update({ windowBounds })
        .catch((error: Error) => log(`could not save window bounds: ${error.message}`));
    });
    win.once("ready-to-show", () => win.show());
    win.on("closed", () => {
      if (mainWindow === win) mainWindow = null;
    });
    void win.loadURL(appUrl);
    return win;
  };

  mainWindow = createWindow();
  app.on("second-instance", focusWindow);
  app.on("activate", () => {
    if (!mainWindow) mainWindow = createWindow();
    else focusWindow();
  });
  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });
}

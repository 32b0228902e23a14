import type { ExternalOpenResult } from "../shared/ipc";
import { ipcLimits } from "../shared/ipc";

/** Schemes handed to the OS. Anything else (file:, javascript:, smb:, custom app
 * protocols) could run code or leak credentials through the OS's handlers. */
const allowedProtocols = new Set(["http:", "https:"]);

export type ExternalUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

export function checkExternalUrl(input: unknown): ExternalUrlCheck {
  if (typeof input !== "string" || input.length === 0) return { ok: false, reason: "not a URL" };
  if (input.length > ipcLimits.url) return { ok: false, reason: "URL too long" };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (!allowedProtocols.has(url.protocol)) {
    return { ok: false, reason: `${url.protocol} links are not opened, only http and https` };
  }
  if (url.username || url.password)
    return { ok: false, reason: "links with embedded credentials are not opened" };
  if (!url.hostname) return { ok: false, reason: "link has no host" };
  return { ok: true, url: url.href };
}

/** Wraps `shell.openExternal` so only checked URLs reach the OS. */
export function createExternalOpener(
  openExternal: (url: string) => Promise<void>,
  log: (message: string) => void = () => {},
): (url: unknown) => Promise<ExternalOpenResult> {
  return async (input) => {
    const check = checkExternalUrl(input);
    if (!check.ok) {
      log(`refused to open external link: ${check.reason}`);
      return { opened: false, reason: check.reason };
    }
    await openExternal(check.url);
    return { opened: true };
  };
}

/** The only environment the main process reads. */
export interface DesktopEnv {
  /** electron-vite's dev server (`npm run dev`), or null to load the packaged renderer. */
  rendererDevUrl: string | null;
}

/**
 * A packaged app ignores ELECTRON_RENDERER_URL: otherwise anyone able to set an environment
 * variable could point the privileged window (and its IPC trust) at a page of their own.
 * In development it must be a loopback http URL, which is what electron-vite sets.
 */
export function loadDesktopEnv(
  isPackaged: boolean,
  source: Record<string, string | undefined> = process.env,
): DesktopEnv {
  const raw = source.ELECTRON_RENDERER_URL;
  if (isPackaged || !raw) return { rendererDevUrl: null };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`ELECTRON_RENDERER_URL is not a URL: ${raw}`);
  }
  if (url.protocol !== "http:" || !["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) {
    throw new Error(`ELECTRON_RENDERER_URL must be a loopback http:// URL, got ${raw}`);
  }
  return { rendererDevUrl: url.href };
}

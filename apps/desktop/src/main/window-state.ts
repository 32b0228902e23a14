export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowBounds extends Rect {
  maximized: boolean;
}

export const defaultWindowSize = { width: 1100, height: 760 };
const minVisible = 100;

/** Reads saved bounds from the settings file, which a person may have edited by hand. */
export function parseWindowBounds(value: unknown): WindowBounds | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  const numbers = [v.x, v.y, v.width, v.height];
  if (!numbers.every((n) => typeof n === "number" && Number.isFinite(n))) return null;
  const [x, y, width, height] = numbers as number[];
  if (width! < 200 || height! < 200 || width! > 20_000 || height! > 20_000) return null;
  return { x: x!, y: y!, width: width!, height: height!, maximized: v.maximized === true };
}

/**
 * Where to open the window: the saved bounds when they still fall on a connected display
 * (monitors get unplugged), otherwise the default size centred on the primary display.
 */
export function restoreWindowBounds(saved: WindowBounds | null, displays: Rect[]): WindowBounds {
  const primary = displays[0] ?? { x: 0, y: 0, ...defaultWindowSize };
  if (saved && displays.some((d) => overlap(saved, d) >= minVisible * minVisible)) {
    return {
      ...saved,
      width: Math.min(saved.width, Math.max(...displays.map((d) => d.width))),
      height: Math.min(saved.height, Math.max(...displays.map((d) => d.height))),
    };
  }
  const width = Math.min(defaultWindowSize.width, primary.width);
  const height = Math.min(defaultWindowSize.height, primary.height);
  return {
    x: Math.round(primary.x + (primary.width - width) / 2),
    y: Math.round(primary.y + (primary.height - height) / 2),
    width,
    height,
    maximized: saved?.maximized ?? false,
  };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The parts of a BrowserWindow the tracker reads. */
export interface TrackedWindow {
  on(event: "resize" | "move" | "close", listener: () => void): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
}

/** Saves the window's bounds shortly after it stops moving, and once more on close. */
export function trackWindowBounds(
  win: TrackedWindow,
  save: (bounds: WindowBounds) => void,
  delayMs = 500,
): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const saveNow = () => {
    clearTimeout(timer);
    // Normal bounds, so a maximized window reopens maximized over its previous size.
    save({ ...win.getNormalBounds(), maximized: win.isMaximized() });
  };
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(saveNow, delayMs);
  };
  win.on("resize", saveSoon);
  win.on("move", saveSoon);
  win.on("close", saveNow);
}

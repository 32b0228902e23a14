import { useEffect, useRef } from "react";
import type { MessageKey } from "../i18n";

/** Apple keyboards use ⌘ where others use Ctrl. */
export function isApplePlatform(): boolean {
  if (typeof navigator === "undefined") return false;
  const data = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData;
  return /mac|iphone|ipad|ipod/i.test(data?.platform || navigator.platform || navigator.userAgent);
}

export type ShortcutAction =
  "palette" | "newChat" | "search" | "focusComposer" | "stopReply" | "shortcuts";

export interface KeyCombo {
  /** Ctrl, or ⌘ on Apple keyboards. */
  mod?: boolean;
  shift?: boolean;
  /** KeyboardEvent.key, compared case-insensitively. */
  key: string;
  /** Only when focus is not in a text field (a bare "?" is a character there). */
  outsideFields?: boolean;
}

export interface Shortcut {
  action: ShortcutAction;
  label: MessageKey;
  combos: KeyCombo[];
}

/** Every shortcut, in the order the sheet lists them. ChatGPT's choices where they exist. */
export const SHORTCUTS: Shortcut[] = [
  { action: "palette", label: "shortcuts.palette", combos: [{ mod: true, key: "k" }] },
  { action: "newChat", label: "shortcuts.newChat", combos: [{ mod: true, shift: true, key: "o" }] },
  { action: "search", label: "shortcuts.search", combos: [{ mod: true, shift: true, key: "f" }] },
  {
    action: "focusComposer",
    label: "shortcuts.focusComposer",
    combos: [{ shift: true, key: "Escape" }],
  },
  { action: "stopReply", label: "shortcuts.stopReply", combos: [{ key: "Escape" }] },
  {
    action: "shortcuts",
    label: "shortcuts.sheet",
    combos: [
      { key: "?", outsideFields: true },
      { mod: true, key: "/" },
    ],
  },
];

/** "Ctrl+Shift+O" or "⇧⌘O": the names a keyboard's own labels use. */
export function comboKeys(combo: KeyCombo, apple = isApplePlatform()): string[] {
  const key =
    combo.key === "Escape" ? "Esc" : combo.key.length === 1 ? combo.key.toUpperCase() : combo.key;
  const keys: string[] = [];
  if (apple) {
    if (combo.shift) keys.push("⇧");
    if (combo.mod) keys.push("⌘");
  } else {
    if (combo.mod) keys.push("Ctrl");
    if (combo.shift) keys.push("Shift");
  }
  keys.push(key);
  return keys;
}

export function comboLabel(combo: KeyCombo, apple = isApplePlatform()): string {
  return comboKeys(combo, apple).join(apple ? "" : "+");
}

function inTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== "function") return false;
  return Boolean(el.closest("input, textarea, select, [contenteditable='true']"));
}

export function matches(event: KeyboardEvent, combo: KeyCombo, apple = isApplePlatform()) {
  const mod = apple ? event.metaKey : event.ctrlKey;
  const otherMod = apple ? event.ctrlKey : event.metaKey;
  if (Boolean(combo.mod) !== mod || otherMod || event.altKey) return false;
  // "?" is Shift+/ on most layouts: the character decides, not the Shift key.
  if (combo.key !== "?" && Boolean(combo.shift) !== event.shiftKey) return false;
  if (combo.outsideFields && inTextField(event.target)) return false;
  return event.key.toLowerCase() === combo.key.toLowerCase();
}

/** The shortcut a key press means, if any. */
export function shortcutFor(event: KeyboardEvent): ShortcutAction | null {
  if (event.isComposing) return null;
  const apple = isApplePlatform();
  return SHORTCUTS.find((s) => s.combos.some((c) => matches(event, c, apple)))?.action ?? null;
}

/** Screens that act on a shortcut (the composer, the sidebar's search) listen here. */
const bus = new EventTarget();

export function requestAction(action: ShortcutAction) {
  bus.dispatchEvent(new Event(action));
}

export function useShortcutAction(action: ShortcutAction, handler: () => void) {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const listener = () => ref.current();
    bus.addEventListener(action, listener);
    return () => bus.removeEventListener(action, listener);
  }, [action]);
}

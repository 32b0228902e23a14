/** How the main window looks to the user right now. */
export interface WindowVisibility {
  visible: boolean;
  minimized: boolean;
  focused: boolean;
}

/**
 * A native notification when a reply completes while the user is not looking: the window
 * is hidden, minimized, or another application is in front. When the user is watching the
 * reply stream in, a notification would only be noise.
 */
export function createReplyNotifier(opts: {
  isSupported: () => boolean;
  windowVisibility: () => WindowVisibility | null;
  show: (title: string, body: string, onClick: () => void) => void;
  focusWindow: () => void;
}): (title: string, body: string) => boolean {
  return (title, body) => {
    const win = opts.windowVisibility();
    const watching = win !== null && win.visible && !win.minimized && win.focused;
    if (watching || !opts.isSupported()) return false;
    opts.show(title, body, opts.focusWindow);
    return true;
  };
}

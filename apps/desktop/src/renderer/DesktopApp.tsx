import { ParleyApp } from "@parley/ui";
import { useEffect, useMemo, useState, type CSSProperties } from "react";
import type { DesktopBridge, TokenStorageInfo } from "../shared/ipc";
import { createPlatformBridge } from "./bridge";
import { ServerForm } from "./ServerForm";

type Phase =
  | { kind: "loading" }
  | { kind: "failed"; message: string }
  | { kind: "first-run" }
  | { kind: "ready"; serverUrl: string };

/**
 * The desktop flavour around the shared UI: a title bar area (room for macOS's inset
 * traffic lights, draggable), the first-run server screen, "Server…" from the menu, and a
 * notice when the OS has no keychain so sign-ins are not kept.
 */
export function DesktopApp({ desktop }: { desktop: DesktopBridge }) {
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [storage, setStorage] = useState<TokenStorageInfo | null>(null);

  useEffect(() => {
    let live = true;
    void Promise.all([desktop.getServerUrl(), desktop.getTokenStorage()]).then(
      ([serverUrl, info]) => {
        if (!live) return;
        setStorage(info);
        setPhase(serverUrl ? { kind: "ready", serverUrl } : { kind: "first-run" });
      },
      (error: unknown) => {
        if (live)
          setPhase({
            kind: "failed",
            message: error instanceof Error ? error.message : String(error),
          });
      },
    );
    const unsubscribe = desktop.onOpenServerSettings(() => setSettingsOpen(true));
    return () => {
      live = false;
      unsubscribe();
    };
  }, [desktop]);

  const onSaved = (url: string) => {
    if (phase.kind === "ready" && phase.serverUrl === url) {
      setSettingsOpen(false);
      return;
    }
    // A new server means a new Content-Security-Policy (connect-src names the server),
    // which only a fresh page load picks up; the main process serves it.
    window.location.reload();
  };

  const serverUrl = phase.kind === "ready" ? phase.serverUrl : null;
  return (
    <div className="flex h-full flex-col bg-bg text-fg" data-desktop-os={desktop.os}>
      <TitleBar
        os={desktop.os}
        serverUrl={serverUrl}
        onOpenSettings={serverUrl ? () => setSettingsOpen(true) : null}
      />
      {storage && !storage.persistent && <KeychainNotice reason={storage.reason} />}
      <div className="relative min-h-0 flex-1">
        {phase.kind === "failed" && (
          <div className="flex h-full items-center justify-center p-6 text-danger" role="alert">
            Parley could not read its settings: {phase.message}
          </div>
        )}
        {phase.kind === "loading" && (
          <div className="flex h-full items-center justify-center text-fg-soft" role="status">
            Loading…
          </div>
        )}
        {phase.kind === "first-run" && (
          <div className="flex h-full flex-col items-center justify-center gap-6 p-6">
            <div className="max-w-md text-center">
              <h1 className="text-2xl font-semibold">Welcome to Parley</h1>
              <p className="mt-2 text-fg-soft">Connect to your Parley server to sign in.</p>
            </div>
            <ServerForm desktop={desktop} initialUrl={null} onSaved={onSaved} />
          </div>
        )}
        {serverUrl && <ConnectedApp desktop={desktop} serverUrl={serverUrl} />}
        {serverUrl && settingsOpen && (
          <div
            role="dialog"
            aria-modal="true"
            aria-label="Server settings"
            className="absolute inset-0 z-50 flex items-center justify-center bg-black/40 p-6"
            onKeyDown={(event) => {
              if (event.key === "Escape") setSettingsOpen(false);
            }}
          >
            <div className="w-full max-w-lg rounded-lg bg-surface p-6 shadow-xl">
              <h2 className="mb-1 text-lg font-semibold">Server</h2>
              <p className="mb-4 text-sm text-fg-soft">
                Changing the server signs you out of the current one.
              </p>
              <ServerForm
                desktop={desktop}
                initialUrl={serverUrl}
                onSaved={onSaved}
                onCancel={() => setSettingsOpen(false)}
              />
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

function ConnectedApp({ desktop, serverUrl }: { desktop: DesktopBridge; serverUrl: string }) {
  const platform = useMemo(() => createPlatformBridge(desktop, serverUrl), [desktop, serverUrl]);
  return <ParleyApp platform={platform} />;
}

function TitleBar(props: {
  os: string;
  serverUrl: string | null;
  onOpenSettings: (() => void) | null;
}) {
  const mac = props.os === "darwin";
  const host = props.serverUrl ? new URL(props.serverUrl).host : null;
  return (
    <header
      className={`flex h-9 shrink-0 items-center gap-3 border-b border-line bg-surface pr-3 text-xs text-fg-soft ${mac ? "pl-20" : "pl-3"}`}
      // Dragging the bar moves the window where macOS draws no native title bar.
      style={{ WebkitAppRegion: "drag" } as CSSProperties}
    >
      <span className="font-medium text-fg">Parley</span>
      {host && (
        <button
          type="button"
          onClick={props.onOpenSettings ?? undefined}
          className="rounded px-2 py-0.5 hover:bg-muted"
          style={{ WebkitAppRegion: "no-drag" } as CSSProperties}
          title={`Change server (${mac ? "⌘," : "Ctrl+,"})`}
          aria-label={`Server: ${host}. Change server`}
        >
          {host}
        </button>
      )}
    </header>
  );
}

function KeychainNotice({ reason }: { reason: string | null }) {
  const [dismissed, setDismissed] = useState(false);
  if (dismissed) return null;
  return (
    <div
      role="note"
      className="flex items-center gap-3 border-b border-line bg-muted px-3 py-2 text-xs text-fg-soft"
    >
      <span className="flex-1">{reason}</span>
      <button type="button" className="text-fg hover:underline" onClick={() => setDismissed(true)}>
        Dismiss
      </button>
    </div>
  );
}

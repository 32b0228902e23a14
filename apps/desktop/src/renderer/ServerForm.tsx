import { useId, useState, type FormEvent } from "react";
import type { DesktopBridge, ServerCheck } from "../shared/ipc";
import { defaultServerUrl } from "../shared/server-url";

/**
 * Asks for the Parley server's address, checks it in the main process (`/healthz` and
 * Parley's own API must answer) and saves it. Used on first run and from "Server…".
 */
export function ServerForm(props: {
  desktop: DesktopBridge;
  initialUrl: string | null;
  onSaved: (url: string) => void;
  onCancel?: () => void;
}) {
  const inputId = useId();
  const [url, setUrl] = useState(props.initialUrl ?? defaultServerUrl);
  const [busy, setBusy] = useState<"save" | "test" | null>(null);
  const [result, setResult] = useState<ServerCheck | null>(null);

  const run = async (kind: "save" | "test") => {
    setBusy(kind);
    setResult(null);
    try {
      const check =
        kind === "save"
          ? await props.desktop.saveServerUrl(url)
          : await props.desktop.checkServerUrl(url);
      setResult(check);
      if (check.ok && kind === "save") props.onSaved(check.url);
    } catch (error) {
      setResult({
        ok: false,
        problem: "unreachable",
        message: error instanceof Error ? error.message : String(error),
      });
    } finally {
      setBusy(null);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run("save");
  };

  return (
    <form
      onSubmit={submit}
      className="flex w-full max-w-md flex-col gap-3"
      aria-label="Parley server"
    >
      <label htmlFor={inputId} className="text-sm font-medium text-fg">
        Server address
      </label>
      <input
        id={inputId}
        name="server-url"
        type="text"
        inputMode="url"
        autoComplete="url"
        spellCheck={false}
        autoFocus
        required
        maxLength={2048}
        value={url}
        onChange={(event) => setUrl(event.target.value)}
        className="rounded-md border border-line bg-surface px-3 py-2 text-fg outline-none focus:border-accent"
        placeholder={defaultServerUrl}
      />
      <p className="text-xs text-fg-soft">
        The address of a Parley server you have an account on, for example {defaultServerUrl} when
        it runs on this computer.
      </p>
      {result && !result.ok && (
        <p
          role="alert"
          data-problem={result.problem}
          className="rounded-md border border-danger px-3 py-2 text-sm text-danger"
        >
          {result.message}
        </p>
      )}
      {result?.ok && busy === null && (
        <p role="status" className="text-sm text-success">
          {result.url} is a Parley server.
        </p>
      )}
      <div className="flex items-center gap-2">
        <button
          type="submit"
          disabled={busy !== null}
          className="rounded-md bg-accent px-4 py-2 text-sm font-medium text-white hover:bg-accent-strong disabled:opacity-60"
        >
          {busy === "save" ? "Connecting…" : "Connect"}
        </button>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void run("test")}
          className="rounded-md border border-line px-4 py-2 text-sm text-fg hover:bg-muted disabled:opacity-60"
        >
          {busy === "test" ? "Testing…" : "Test connection"}
        </button>
        {props.onCancel && (
          <button
            type="button"
            onClick={props.onCancel}
            className="ml-auto px-2 py-2 text-sm text-fg-soft hover:text-fg"
          >
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

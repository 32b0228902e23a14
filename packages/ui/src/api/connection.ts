import { TRPCClientError, type TRPCLink } from "@trpc/client";
import type { AnyRouter } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import { connectionChanged, type ConnectionStatus } from "../store/connectionSlice";

/**
 * True when a call failed without any answer from the server: refused connection, DNS,
 * a dropped network, or a proxy page that is not ours (no tRPC error body). A call the
 * client cancelled itself is not an outage.
 */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof TRPCClientError) {
    if (error.data) return false;
    const cause: unknown = error.cause;
    return !(cause instanceof Error && cause.name === "AbortError");
  }
  return error instanceof TypeError;
}

export interface ConnectionMonitorDeps {
  dispatch(action: ReturnType<typeof connectionChanged>): void;
  getStatus(): ConnectionStatus;
  /** Asks the server whether it is up (GET /healthz); never throws. */
  probe(): Promise<boolean>;
  /** Runs once each time the server answers again after an outage. */
  onRestored(): void;
  isDeviceOnline?(): boolean;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

/** How long "Connected again" stays up before the banner goes away. */
export const RESTORED_NOTICE_MS = 4_000;
const MAX_PROBE_DELAY_MS = 15_000;

/**
 * Tracks whether the API answers. Any call that fails unreachable starts probing /healthz
 * with a growing delay; the first answer (probe or real call) marks the connection restored,
 * which refetches what the screens show.
 */
export class ConnectionMonitor {
  private probeTimer: unknown = null;
  private noticeTimer: unknown = null;
  private attempt = 0;
  private probing = false;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly deps: ConnectionMonitorDeps) {
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer =
      deps.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  private get down(): boolean {
    const status = this.deps.getStatus();
    return status === "offline" || status === "reconnecting";
  }

  private deviceOnline(): boolean {
    return this.deps.isDeviceOnline?.() ?? true;
  }

  reportFailure(): void {
    if (this.down) return;
    if (this.noticeTimer !== null) this.clearTimer(this.noticeTimer);
    this.noticeTimer = null;
    this.attempt = 0;
    this.deps.dispatch(connectionChanged(this.deviceOnline() ? "reconnecting" : "offline"));
    this.schedule(1_000);
  }

  /** A call answered. One that was already in flight when the device went offline may
   * land after the `offline` event: while the device says offline it restores nothing (the
   * `online` event probes at once). */
  reportSuccess(): void {
    if (this.down && this.deviceOnline()) this.restored();
  }

  /** The browser's `offline` event: no need to wait for a call to fail. */
  deviceWentOffline(): void {
    if (this.down) this.deps.dispatch(connectionChanged("offline"));
    else this.reportFailure();
  }

  /** The browser's `online` event: ask the server right away. */
  deviceCameOnline(): void {
    if (!this.down) return;
    this.deps.dispatch(connectionChanged("reconnecting"));
    this.schedule(0);
  }

  /** Starts listening to the browser's network events; returns the stop function. */
  listen(target: Pick<Window, "addEventListener" | "removeEventListener">): () => void {
    const offline = () => this.deviceWentOffline();
    const online = () => this.deviceCameOnline();
    target.addEventListener("offline", offline);
    target.addEventListener("online", online);
    return () => {
      target.removeEventListener("offline", offline);
      target.removeEventListener("online", online);
      this.stop();
    };
  }

  stop(): void {
    if (this.probeTimer !== null) this.clearTimer(this.probeTimer);
    if (this.noticeTimer !== null) this.clearTimer(this.noticeTimer);
    this.probeTimer = this.noticeTimer = null;
  }

  private schedule(ms: number): void {
    if (this.probeTimer !== null) this.clearTimer(this.probeTimer);
    this.probeTimer = this.setTimer(() => {
      this.probeTimer = null;
      void this.probeOnce();
    }, ms);
  }

  private async probeOnce(): Promise<void> {
    if (this.probing || !this.down) return;
    this.probing = true;
    const ok = await this.deps.probe();
    this.probing = false;
    if (!this.down) return;
    if (ok) {
      this.restored();
      return;
    }
    this.attempt += 1;
    if (!this.deviceOnline()) this.deps.dispatch(connectionChanged("offline"));
    this.schedule(Math.min(1_000 * 2 ** this.attempt, MAX_PROBE_DELAY_MS));
  }

  private restored(): void {
    if (this.probeTimer !== null) this.clearTimer(this.probeTimer);
    this.probeTimer = null;
    this.attempt = 0;
    this.deps.dispatch(connectionChanged("restored"));
    this.deps.onRestored();
    this.noticeTimer = this.setTimer(() => {
      this.noticeTimer = null;
      if (this.deps.getStatus() === "restored") this.deps.dispatch(connectionChanged("online"));
    }, RESTORED_NOTICE_MS);
  }
}

/** Reports every call's outcome to the monitor: an answer of any kind means the server is up. */
export function connectionLink<TRouter extends AnyRouter>(
  monitor: Pick<ConnectionMonitor, "reportFailure" | "reportSuccess">,
): TRPCLink<TRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) =>
        next(op).subscribe({
          next(value) {
            monitor.reportSuccess();
            observer.next(value);
          },
          error(error) {
            if (isUnreachable(error)) monitor.reportFailure();
            else monitor.reportSuccess();
            observer.error(error);
          },
          complete() {
            observer.complete();
          },
        }),
      );
}

/** GET /healthz with a short timeout: true when the server answered 2xx. */
export function probeHealth(apiBaseUrl: string): () => Promise<boolean> {
  const url = `${apiBaseUrl.replace(/\/+$/, "")}/healthz`;
  return () =>
    fetch(url, { cache: "no-store", signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.ok,
      () => false,
    );
}

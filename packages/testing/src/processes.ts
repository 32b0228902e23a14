import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { childEnv } from "./env";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** Children still running when this process exits are killed, so none outlives a crash. */
const liveChildren = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
});

export interface NodeProcess {
  process: ChildProcess;
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** Everything the process printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (5 s); resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: the process dies without any cleanup, as in a crash. */
  kill(): Promise<void>;
}

export interface StartNodeProcessOptions {
  env?: Record<string, string | undefined>;
  /** Extra flags for node itself, e.g. --expose-gc. */
  nodeArgs?: string[];
  /** Opens an IPC channel (child.send / process.on("message")). */
  ipc?: boolean;
  timeoutMs?: number;
}

/**
 * Starts a TypeScript entry point (relative to the repository root) in its own Node process
 * and resolves once it prints "listening on http://localhost:PORT".
 */
export function startNodeProcess(
  entry: string,
  options: StartNodeProcessOptions = {},
): Promise<NodeProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", entry], {
    cwd: repoRoot,
    env: childEnv({ PORT: "0", LOG_LEVEL: "warn", ...options.env }),
    stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  let output = "";
  // Keep only the tail: a long-running server may log a lot.
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const signal = async (name: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(name);
    const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(force);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${entry} did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const match = output.match(/listening on http:\/\/localhost:(\d+)/);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onEarlyExit);
      const port = Number(match[1]);
      resolve({
        process: child,
        port,
        url: `http://127.0.0.1:${port}`,
        output: () => output,
        stop: (graceMs = 5_000) => signal("SIGTERM", graceMs),
        kill: () => signal("SIGKILL", 1_000),
      });
    };
    const onEarlyExit = (code: number | null, sig: string | null) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code ?? sig}) before listening:\n${output}`));
    };
    child.stdout?.on("data", onData);
    child.once("exit", onEarlyExit);
  });
}

/** A TCP port that was free a moment ago (for services that must keep one port across restarts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it resolves true, or throws after `timeoutMs` with `what` in the message. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : "";
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}

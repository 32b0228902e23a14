/**
 * argon2id on threads of their own at the lowest CPU priority (nice 19, Linux): a login
 * flood then takes only the CPU no other request wants, instead of a core the scheduler
 * shares evenly with the event loop. On the libuv pool (the package's async functions) the
 * hashes ran at the same priority as everything else, and on a busy 2-core machine the
 * "free" core of the concurrency cap was not free: others' p99 rose 3–6× during a flood.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

// An eval'd worker has no module of its own to resolve from: it is given the package's path.
const argon2Path = createRequire(import.meta.url).resolve("@node-rs/argon2");

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const argon2 = require(${JSON.stringify(argon2Path)});
try {
  // /proc/thread-self names this thread's id; setpriority on a thread id renices that thread.
  const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  require("node:os").setPriority(tid, 19);
} catch {
  // Not Linux: the hashes run at normal priority.
}
parentPort.on("message", ({ id, op, args }) => {
  try {
    const value = op === "hash" ? argon2.hashSync(...args) : argon2.verifySync(...args);
    parentPort.postMessage({ id, value });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

class HashThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(onExit: () => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    // An idle thread must not keep a process (a script, a test run) alive.
    this.worker.unref();
    this.worker.on(
      "message",
      ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
        const task = this.pending.get(id);
        if (!task) return;
        this.pending.delete(id);
        if (this.pending.size === 0) this.worker.unref();
        if (error === undefined) task.resolve(value);
        else task.reject(new Error(error));
      },
    );
    const fail = (error: Error) => {
      for (const task of this.pending.values()) task.reject(error);
      this.pending.clear();
      onExit();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`argon2 thread exited (${code})`)));
  }

  get load() {
    return this.pending.size;
  }

  run<T>(op: "hash" | "verify", args: unknown[]): Promise<T> {
    const id = this.nextId++;
    // Waited for: while a hash is due, the thread keeps the process alive.
    this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, op, args });
    });
  }
}

const threads: HashThread[] = [];

/** Runs one argon2 operation on the least busy of up to `size` shared threads (made when
 * first needed, replaced if one dies). */
export function onHashThread<T>(size: number, op: "hash" | "verify", args: unknown[]): Promise<T> {
  let thread = threads.reduce<HashThread | undefined>(
    (best, t) => (!best || t.load < best.load ? t : best),
    undefined,
  );
  if (!thread || (thread.load > 0 && threads.length < size)) {
    const made: HashThread = new HashThread(() => {
      const at = threads.indexOf(made);
      if (at >= 0) threads.splice(at, 1);
    });
    threads.push(made);
    thread = made;
  }
  return thread.run<T>(op, args);
}

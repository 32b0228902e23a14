import { availableParallelism } from "node:os";
import type { Algorithm } from "@node-rs/argon2";
import { DomainError } from "../errors";
import { onHashThread } from "./hash-threads";

/** OWASP's argon2id baseline, set explicitly so a library default change cannot weaken it. */
export const ARGON2_OPTIONS = {
  // The package's const enum cannot be imported under isolatedModules; 2 is Argon2id.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Checks `password` against `passwordHash`; with null (unknown user) it still spends the
   * time of a real check, so response time does not reveal which accounts exist. */
  verify(passwordHash: string | null, password: string): Promise<boolean>;
}

/** Hashes running at once by default: every core but one, so a login flood always leaves a
 * core to every other request (each hash holds a core for ~15 ms). */
export function defaultHashConcurrency(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Seconds a refused sign-in is told to wait (Retry-After): the queue drains in far less. */
const BUSY_RETRY_AFTER_SECONDS = 1;

export interface PasswordHasherOptions {
  /** Hashes running at once (default: defaultHashConcurrency()); each takes ~19 MiB and a
   * thread for tens of milliseconds. */
  maxConcurrent?: number;
  /** Callers allowed to wait for a slot before new ones are refused with 503. */
  maxQueued?: number;
  /** A limiter made with createHashLimiter, to share or inspect (tests); replaces the two
   * options above. */
  limiter?: HashLimiter;
}

/**
 * argon2id behind a small semaphore, on low-priority threads of its own (hash-threads.ts): a
 * burst of logins queues instead of taking every core or exhausting memory; a full queue
 * answers 503 with Retry-After.
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const threads = options.maxConcurrent ?? defaultHashConcurrency();
  const limit = options.limiter ?? createHashLimiter(threads, options.maxQueued ?? 200);
  const hash = (password: string) =>
    onHashThread<string>(threads, "hash", [password, ARGON2_OPTIONS]);
  // Made up front, so even the first unknown-user login costs exactly one verification.
  const dummyHash = hash("parley-dummy-password-for-unknown-users");
  dummyHash.catch(() => undefined);

  return {
    hash: (password) => limit(() => hash(password)),
    async verify(passwordHash, password) {
      const target = passwordHash ?? (await dummyHash);
      const ok = await limit(() =>
        onHashThread<boolean>(threads, "verify", [target, password]).catch(() => false),
      );
      return passwordHash !== null && ok;
    },
  };
}

/** Runs tasks at most `maxConcurrent` at a time, queueing up to `maxQueued` more and refusing
 * the rest with SERVICE_UNAVAILABLE (503, Retry-After). */
export type HashLimiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createHashLimiter(maxConcurrent: number, maxQueued: number): HashLimiter {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= maxConcurrent) {
      if (waiting.length >= maxQueued) {
        throw new DomainError(
          "SERVICE_UNAVAILABLE",
          "Too many sign-ins at once, try again in a moment",
          { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS },
        );
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running++;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

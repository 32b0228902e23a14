import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { createPasswordHasher, defaultHashConcurrency } from "./passwords";

describe("password hashing", () => {
  it("uses argon2id with m=19456, t=2, p=1, written into the hash itself", async () => {
    const hash = await createPasswordHasher().hash("correct horse battery staple");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("verifies the right password only, salting every hash", async () => {
    const hasher = createPasswordHasher();
    const [a, b] = [await hasher.hash("same password"), await hasher.hash("same password")];
    expect(a).not.toBe(b);
    expect(await hasher.verify(a, "same password")).toBe(true);
    expect(await hasher.verify(a, "same passwore")).toBe(false);
    expect(await hasher.verify("not-a-hash", "same password")).toBe(false);
  });

  it("uses every character: no 72-byte truncation as with bcrypt", async () => {
    const hasher = createPasswordHasher();
    const long = "x".repeat(255);
    const hash = await hasher.hash(`${long}1`);
    expect(await hasher.verify(hash, `${long}2`)).toBe(false);
    expect(await hasher.verify(hash, `${long}1`)).toBe(true);
  });

  it("for an unknown user (no hash) still runs a real argon2 check, and says no", async () => {
    // With one slot and no queue, a second check can only be refused if the first one is
    // really occupying the hasher, i.e. the unknown-user path does the same work.
    const hasher = createPasswordHasher({ maxConcurrent: 1, maxQueued: 0 });
    const unknown = hasher.verify(null, "whatever");
    await expect(hasher.verify(null, "again")).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
    });
    expect(await unknown).toBe(false);
  });

  it("caps concurrent hashes: extra callers queue and all finish", async () => {
    const hasher = createPasswordHasher({ maxConcurrent: 2, maxQueued: 10 });
    const hashes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => hasher.hash(`password-${i}`)),
    );
    expect(new Set(hashes).size).toBe(6);
  });

  it("refuses with 503 once the queue is full instead of piling up work", async () => {
    const hasher = createPasswordHasher({ maxConcurrent: 1, maxQueued: 1 });
    const results = await Promise.allSettled([
      hasher.hash("a-password"),
      hasher.hash("b-password"),
      hasher.hash("c-password"),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
    });
  });

  it("by default runs every core but one (at least one) at once, so a flood leaves a core free", async () => {
    const cap = defaultHashConcurrency();
    expect(cap).toBe(Math.max(1, availableParallelism() - 1));
    const hasher = createPasswordHasher({ maxQueued: 0 });
    const results = await Promise.allSettled(
      Array.from({ length: cap + 1 }, (_, i) => hasher.hash(`password-${i}`)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(cap);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      details: { retryAfterSeconds: 1 },
    });
  });

  it.runIf(process.platform === "linux")(
    "hashes on threads at the lowest CPU priority (nice 19), so a login flood yields the CPU",
    async () => {
      /** The nice value of each of this process's threads (field 19 of /proc/…/stat). */
      const niceValues = () =>
        readdirSync("/proc/self/task").map((tid) => {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
        });
      await createPasswordHasher().hash("a password");
      expect(niceValues()).toContain(19);
      // Only the hashing threads: the event loop (the first thread) keeps its priority.
      expect(niceValues()[0]).toBeLessThan(19);
    },
  );
});

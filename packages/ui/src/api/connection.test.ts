import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import type { ConnectionStatus } from "../store/connectionSlice";
import { ConnectionMonitor, isUnreachable, RESTORED_NOTICE_MS } from "./connection";

// Timers are driven by hand so the test says exactly when each probe happens.
function setup(probeAnswers: boolean[], deviceOnline = true) {
  let status: ConnectionStatus = "online";
  const seen: ConnectionStatus[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let restored = 0;
  let probes = 0;
  const monitor = new ConnectionMonitor({
    dispatch: (action) => {
      status = action.payload;
      seen.push(status);
    },
    getStatus: () => status,
    probe: async () => {
      probes += 1;
      return probeAnswers.shift() ?? false;
    },
    onRestored: () => (restored += 1),
    isDeviceOnline: () => deviceOnline,
    setTimer: (fn, ms) => {
      const timer = { fn, ms };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => {
      const i = timers.indexOf(handle as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  const fireNext = async () => {
    const timer = timers.shift();
    timer?.fn();
    await Promise.resolve();
    await Promise.resolve();
    return timer?.ms;
  };
  return {
    monitor,
    seen,
    fireNext,
    status: () => status,
    restored: () => restored,
    probes: () => probes,
  };
}

describe("ConnectionMonitor", () => {
  it("probes with a growing delay while down, then restores once and clears the notice", async () => {
    const m = setup([false, false, true]);
    m.monitor.reportFailure();
    m.monitor.reportFailure();
    expect(m.status()).toBe("reconnecting");
    expect(await m.fireNext()).toBe(1_000);
    expect(await m.fireNext()).toBe(2_000);
    expect(await m.fireNext()).toBe(4_000);
    expect(m.probes()).toBe(3);
    expect(m.status()).toBe("restored");
    expect(m.restored()).toBe(1);
    expect(await m.fireNext()).toBe(RESTORED_NOTICE_MS);
    expect(m.status()).toBe("online");
    expect(m.seen).toEqual(["reconnecting", "restored", "online"]);
  });

  it("a successful call ends the outage without waiting for the probe", () => {
    const m = setup([]);
    m.monitor.reportFailure();
    m.monitor.reportSuccess();
    expect(m.status()).toBe("restored");
    expect(m.restored()).toBe(1);
    m.monitor.reportSuccess();
    expect(m.restored()).toBe(1);
  });

  it("a late answer after the device went offline does not hide the offline notice", () => {
    const m = setup([], false);
    m.monitor.deviceWentOffline();
    m.monitor.reportSuccess();
    expect(m.status()).toBe("offline");
    expect(m.restored()).toBe(0);
  });

  it("says offline when the device has no network, and probes at once when it returns", async () => {
    const m = setup([true], false);
    m.monitor.deviceWentOffline();
    expect(m.status()).toBe("offline");
    m.monitor.deviceCameOnline();
    expect(m.status()).toBe("reconnecting");
    expect(await m.fireNext()).toBe(0);
    expect(m.status()).toBe("restored");
  });
});

describe("isUnreachable", () => {
  it("is true for a failed fetch and false for an answer or a cancelled call", () => {
    expect(isUnreachable(TRPCClientError.from(new TypeError("Failed to fetch")))).toBe(true);
    const answered = TRPCClientError.from({
      error: { message: "no", code: -32001, data: { code: "UNAUTHORIZED" } },
    } as never);
    expect(isUnreachable(answered)).toBe(false);
    const aborted = new Error("aborted");
    aborted.name = "AbortError";
    expect(isUnreachable(TRPCClientError.from(aborted))).toBe(false);
  });
});

import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { testEnv } from "./env";
import { servicesRequired } from "./services";

/** Debian's Chromium (`apt-get install chromium`); Playwright's own browsers cannot be
 * downloaded here. */
export const CHROMIUM = testEnv().chromiumPath;

/** Why Chromium cannot run here, or false. Under REQUIRE_SERVICES=1 a missing browser is an
 * error, never a silent skip. */
export function chromiumMissing(): string | false {
  const reason = existsSync(CHROMIUM)
    ? false
    : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  if (reason && servicesRequired) throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
  return reason;
}

/** Headless, and without the background traffic that this machine's closed network refuses
 * (updates, sync, QUIC). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

/**
 * A short, human label for a session's User-Agent ("Firefox on Linux"), for the sessions
 * list. Deliberately coarse: it names a device, it does not fingerprint it.
 */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  if (/Electron\//.test(userAgent)) return `Parley desktop on ${platform(userAgent)}`;
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /OPR\//.test(userAgent)
      ? "Opera"
      : /Firefox\//.test(userAgent)
        ? "Firefox"
        : /Chrome\//.test(userAgent)
          ? "Chrome"
          : /Safari\//.test(userAgent)
            ? "Safari"
            : /^node|undici|node-fetch/i.test(userAgent)
              ? "Script"
              : null;
  if (!browser) return userAgent.slice(0, 60);
  return browser === "Script" ? "Script or tool" : `${browser} on ${platform(userAgent)}`;
}

function platform(userAgent: string): string {
  if (/Android/.test(userAgent)) return "Android";
  if (/iPhone|iPad/.test(userAgent)) return "iOS";
  if (/Mac OS X|Macintosh/.test(userAgent)) return "macOS";
  if (/Windows/.test(userAgent)) return "Windows";
  if (/Linux/.test(userAgent)) return "Linux";
  return "an unknown system";
}

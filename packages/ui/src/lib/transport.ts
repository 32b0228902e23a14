/** Hosts that never leave this machine: plain HTTP to them crosses no network. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * Whether the server at `serverUrl` is reached unencrypted over a network: plain HTTP to
 * anything but this machine. Passwords and messages then travel readable by anyone on the
 * path, so the UI says so (self-hosting on http://192.168.x.y still works).
 */
export function isUnencryptedConnection(serverUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return false;
  }
  return url.protocol === "http:" && !isLoopback(url.hostname);
}

/**
 * A random id for idempotent sends. crypto.randomUUID exists only in secure contexts; a
 * server reached over plain HTTP on a LAN address is not one, but getRandomValues works
 * everywhere.
 */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

import type { AddressInfo } from "node:net";

/** Tells the bench (our parent) which port we got. */
export function announce(server: { address(): AddressInfo | string | null }): void {
  const address = server.address() as AddressInfo;
  console.log(`listening on http://localhost:${address.port}`);
}

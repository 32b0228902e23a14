import { openSecret, sealSecret, type KeyRing } from "./crypto";

/**
 * The API keys of model providers admins add: sealed with the key module under a context
 * naming the provider, so a sealed key copied onto another provider's row does not open.
 * In core because the providers feature seals them and the chat runtime opens them.
 */
export const providerKeyContext = (providerId: string) => `provider:${providerId}`;

export function sealProviderKey(ring: KeyRing, providerId: string, apiKey: string): string {
  return sealSecret(ring, apiKey, providerKeyContext(providerId));
}

export function openProviderKey(ring: KeyRing, providerId: string, sealed: string): string {
  return openSecret(ring, sealed, providerKeyContext(providerId));
}

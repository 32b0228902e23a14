/**
 * What auth and user procedures return, spelled out rather than derived from Prisma's
 * types: procedures annotate their results with these, so the client package's bundled
 * declarations stay small and self-contained, and a column added to a table never reaches
 * a client by accident.
 */

import type { ApiKeyScope } from "../context";

export interface PublicUser {
  id: string;
  username: string;
  email: string;
  role: "user" | "admin";
  disabledAt: Date | null;
  createdAt: Date;
}

export interface SessionInfo {
  id: string;
  /** A coarse label such as "Firefox on Linux". */
  device: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  /** The session this request was made with. */
  current: boolean;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it in a list. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** What the key may do: `chat`, `read`, `admin`. */
  scopes: ApiKeyScope[];
  /** When the key stops working; null for never. An expired key is listed until revoked. */
  expiresAt: Date | null;
}

/** Returned once, by auth.apiKeys.create: the only time the secret is ever shown. */
export interface CreatedApiKey extends ApiKeyInfo {
  secret: string;
}

export interface UserPage {
  items: PublicUser[];
  nextCursor: string | null;
}

import { z } from "zod";
import { text } from "../../core/input";

/** A link's token: the owner's id (22 base64url characters) then the 43-character secret. */
export const SHARE_TOKEN = /^[A-Za-z0-9_-]{22}[A-Za-z0-9_-]{43}$/;

export const createShareInput = z.object({ conversationId: z.uuid() });
export const listSharesInput = z.object({ conversationId: z.uuid().optional() }).default({});
export const revokeShareInput = z.object({ id: z.uuid() });
// A malformed token is a link that does not exist: the same 404, never a 400 that tells
// a guesser which part was wrong.
export const viewShareInput = z.object({ token: text().max(100) });

import { z } from "zod";
import { text, timestamp } from "../../core/input";
import { AUDIT_ACTIONS } from "../../core/audit";

export const AUDIT_PAGE_SIZE = 50;

const page = {
  cursor: z.object({ createdAt: timestamp(), id: z.uuid("Invalid cursor") }).optional(),
  limit: z.number().int().min(1).max(AUDIT_PAGE_SIZE).optional(),
  actions: z.array(z.enum(AUDIT_ACTIONS)).max(AUDIT_ACTIONS.length).optional(),
};

export const myAuditInput = z.object(page).optional();

export const adminAuditInput = z
  .object({
    ...page,
    /** The account the events are about. */
    userId: z.uuid("Unknown user").optional(),
    /** Who acted (an admin, or the user themselves). */
    actorId: z.uuid("Unknown user").optional(),
    ip: text().trim().min(1).max(64, "An IP address is at most 64 characters").optional(),
    since: timestamp().optional(),
    until: timestamp().optional(),
  })
  .optional();

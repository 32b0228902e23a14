import { adminProcedure, readProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { adminAuditInput, AUDIT_PAGE_SIZE, myAuditInput } from "./schemas";
import { listAudit, type AuditPage } from "./service";

export const auditRouter = router({
  /** The caller's own events: always filtered by their user id, whatever the input says. */
  mine: readProcedure.input(myAuditInput).query(({ ctx, input }): Promise<AuditPage> =>
    listAudit(
      ctx.deps.db,
      { userId: ctx.user.id, ...(input?.actions ? { actions: input.actions } : {}) },
      {
        ...(input?.cursor ? { cursor: input.cursor } : {}),
        limit: input?.limit ?? AUDIT_PAGE_SIZE,
      },
    ),
  ),

  /** Every event, filtered by subject, actor, action, IP and time. */
  list: adminProcedure.input(adminAuditInput).query(({ ctx, input }): Promise<AuditPage> => {
    const { cursor, limit, ...filter } = input ?? {};
    return listAudit(ctx.deps.db, filter, {
      ...(cursor ? { cursor } : {}),
      limit: limit ?? AUDIT_PAGE_SIZE,
    });
  }),
});

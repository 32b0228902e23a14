import { readProcedure, writeProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { createPresetInput, deletePresetInput, updatePresetInput } from "./schemas";
import { createPreset, deletePreset, listPresets, updatePreset } from "./service";

/** The caller's presets. A chat starts from one with chat.conversations.create({ presetId }). */
export const presetsRouter = router({
  list: readProcedure.query(({ ctx }) => listPresets(ctx.deps, ctx.user.id)),

  create: writeProcedure
    .input(createPresetInput)
    .mutation(({ ctx, input }) => createPreset(ctx.deps, ctx.user.id, input)),

  update: writeProcedure
    .input(updatePresetInput)
    .mutation(({ ctx, input }) => updatePreset(ctx.deps, ctx.user.id, input)),

  delete: writeProcedure
    .input(deletePresetInput)
    .mutation(({ ctx, input }) => deletePreset(ctx.deps, ctx.user.id, input.id)),
});

import { z } from "zod";
import { text } from "../../core/input";

/** The same bounds as a conversation's settings (chat/settings.ts chatLimits). */
export const presetLimits = {
  name: 100,
  systemPrompt: 8_000,
  model: 200,
  /** Presets per user: a menu's worth, too few to fill the database. */
  perUser: 100,
} as const;

const fields = {
  name: text().trim().min(1, "Name the preset").max(presetLimits.name),
  systemPrompt: text().max(presetLimits.systemPrompt).nullable().default(null),
  model: text().trim().min(1).max(presetLimits.model).nullable().default(null),
  temperature: z.number().min(0).max(2).nullable().default(null),
};

export const createPresetInput = z.object(fields);
export const updatePresetInput = z.object({ id: z.uuid(), ...fields });
export const deletePresetInput = z.object({ id: z.uuid() });
export type PresetInput = z.infer<typeof createPresetInput>;

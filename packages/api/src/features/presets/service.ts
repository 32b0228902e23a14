import { presets, UniqueViolationError } from "@parley/db";
import type { AppDeps } from "../../core/context";
import { DomainError } from "../../core/errors";
import { presetLimits, type PresetInput } from "./schemas";

/** What this feature reads of AppDeps. */
export type PresetsDeps = Pick<AppDeps, "db">;

// Another user's preset looks exactly like a missing one.
const presetNotFound = () => new DomainError("NOT_FOUND", "Preset not found", { field: "id" });

/** A blank system prompt is no system prompt. */
const normalized = (input: PresetInput): presets.PresetFields => ({
  ...input,
  systemPrompt: input.systemPrompt?.trim() ? input.systemPrompt : null,
});

async function nameTaken<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof UniqueViolationError)
      throw new DomainError("CONFLICT", "You already have a preset with this name", {
        field: "name",
      });
    throw error;
  }
}

export function listPresets(deps: PresetsDeps, userId: string) {
  return presets.listPresets(deps.db, userId);
}

export async function createPreset(deps: PresetsDeps, userId: string, input: PresetInput) {
  if ((await presets.countPresets(deps.db, userId)) >= presetLimits.perUser)
    throw new DomainError("BAD_REQUEST", `At most ${presetLimits.perUser} presets`, {
      field: "name",
    });
  return nameTaken(presets.createPreset(deps.db, userId, normalized(input)));
}

export async function updatePreset(
  deps: PresetsDeps,
  userId: string,
  input: PresetInput & { id: string },
) {
  const { id, ...fields } = input;
  const preset = await nameTaken(presets.updatePreset(deps.db, userId, id, normalized(fields)));
  if (!preset) throw presetNotFound();
  return preset;
}

export async function deletePreset(deps: PresetsDeps, userId: string, id: string) {
  if (!(await presets.deletePreset(deps.db, userId, id))) throw presetNotFound();
  return { id };
}

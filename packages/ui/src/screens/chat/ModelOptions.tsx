import type { RouterOutputs } from "@parley/api";
import { useT } from "../../i18n";

type Catalog = RouterOutputs["chat"]["models"];

/**
 * The <option>s of a model picker: grouped by provider once there is more than one (the
 * same model id may be offered by two), each labelled with the provider's own model id.
 * `extra`: values to keep selectable though no longer offered (a preset's saved model).
 */
export function ModelOptions({
  catalog,
  extra = [],
}: {
  catalog: Catalog | undefined;
  extra?: string[];
}) {
  const t = useT();
  const groups = catalog?.providers ?? [];
  const offered = new Set(catalog?.models ?? []);
  const stale = extra.filter((m) => !offered.has(m));
  const options = (models: Catalog["providers"][number]["models"]) =>
    models.map((m) => (
      <option key={m.id} value={m.id}>
        {m.name}
      </option>
    ));
  return (
    <>
      {groups.length > 1
        ? groups.map((group) => (
            <optgroup
              key={group.id}
              label={group.environment ? t("providers.environment") : group.name}
            >
              {options(group.models)}
            </optgroup>
          ))
        : groups.flatMap((group) => options(group.models))}
      {stale.map((m) => (
        <option key={m} value={m}>
          {m}
        </option>
      ))}
    </>
  );
}

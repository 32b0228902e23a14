import { errorText } from "../../api/errors";
import { useId, useState } from "react";
import { trpc } from "../../api/client";
import { CloseIcon, EditIcon, SlidersIcon } from "../../components/icons";
import { Alert, Button, Dialog, IconButton, Menu, TextArea, TextField } from "../../components/ui";
import { useT } from "../../i18n";
import { useRouter } from "../../lib/router";
import { useAppDispatch } from "../../store";
import { sidebarToggled } from "../../store/layoutSlice";
import { presetChosen } from "../../store/newChatSlice";
import { ModelOptions } from "../chat/ModelOptions";

interface Preset {
  id: string;
  name: string;
  systemPrompt: string | null;
  model: string | null;
  temperature: number | null;
}

/**
 * Beside "New chat": start a chat from a saved preset, or manage the presets. Choosing one
 * opens a new chat and stores nothing: the first message creates the chat with it.
 */
export function PresetsMenu() {
  const t = useT();
  const { navigate } = useRouter();
  const dispatch = useAppDispatch();
  const presets = trpc.presets.list.useQuery();
  const [managing, setManaging] = useState(false);
  return (
    <>
      <Menu
        label={t("presets.start")}
        trigger={<SlidersIcon />}
        items={[
          ...(presets.data ?? []).map((preset) => ({
            label: preset.name,
            onSelect: () => {
              dispatch(presetChosen({ id: preset.id, name: preset.name, model: preset.model }));
              navigate({ name: "chat", conversationId: null });
              // Already on a new chat the route does not change: close the phone's drawer here,
              // so the chosen preset is seen.
              dispatch(sidebarToggled(false));
            },
          })),
          { label: t("presets.manage"), onSelect: () => setManaging(true) },
        ]}
      />
      <PresetsDialog open={managing} onClose={() => setManaging(false)} />
    </>
  );
}

function PresetsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const presets = trpc.presets.list.useQuery(undefined, { enabled: open });
  // The preset being edited, "new" for a new one, null for the list alone.
  const [editing, setEditing] = useState<Preset | "new" | null>(null);
  const utils = trpc.useUtils();
  const remove = trpc.presets.delete.useMutation({
    onSuccess: () => void utils.presets.list.invalidate(),
  });
  const close = () => {
    setEditing(null);
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title={t("presets.title")}>
      {editing ? (
        <PresetForm
          key={editing === "new" ? "new" : editing.id}
          preset={editing === "new" ? null : editing}
          onDone={() => setEditing(null)}
        />
      ) : (
        <>
          {presets.isSuccess && presets.data.length === 0 ? (
            <p className="text-sm text-fg-soft">{t("presets.none")}</p>
          ) : null}
          <ul className="flex flex-col gap-1" data-testid="presets">
            {(presets.data ?? []).map((preset) => (
              <li key={preset.id} className="flex items-center gap-1">
                <span className="min-w-0 flex-1 truncate text-sm font-medium">{preset.name}</span>
                <IconButton
                  label={t("presets.edit", { name: preset.name })}
                  onClick={() => setEditing(preset)}
                >
                  <EditIcon />
                </IconButton>
                <IconButton
                  label={t("presets.delete", { name: preset.name })}
                  className="text-danger"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate({ id: preset.id })}
                >
                  <CloseIcon />
                </IconButton>
              </li>
            ))}
          </ul>
          {remove.error ? <Alert>{errorText(remove.error, t)}</Alert> : null}
          <div className="flex justify-end gap-2">
            <Button onClick={close}>{t("presets.close")}</Button>
            <Button variant="primary" onClick={() => setEditing("new")}>
              {t("presets.new")}
            </Button>
          </div>
        </>
      )}
    </Dialog>
  );
}

function PresetForm({ preset, onDone }: { preset: Preset | null; onDone: () => void }) {
  const t = useT();
  const utils = trpc.useUtils();
  const models = trpc.chat.models.useQuery(undefined, { staleTime: 5 * 60_000 });
  const modelId = useId();
  const [name, setName] = useState(preset?.name ?? "");
  const [model, setModel] = useState(preset?.model ?? "");
  const [prompt, setPrompt] = useState(preset?.systemPrompt ?? "");
  const [temperature, setTemperature] = useState(preset?.temperature?.toString() ?? "");
  const temperatureValue =
    temperature.trim() === "" ? null : Number(temperature.trim().replace(",", "."));
  const temperatureValid =
    temperatureValue === null ||
    (Number.isFinite(temperatureValue) && temperatureValue >= 0 && temperatureValue <= 2);
  const done = () => {
    void utils.presets.list.invalidate();
    onDone();
  };
  const create = trpc.presets.create.useMutation({ onSuccess: done });
  const update = trpc.presets.update.useMutation({ onSuccess: done });
  const mutation = preset ? update : create;

  return (
    <form
      className="flex flex-col gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (!temperatureValid) return;
        const fields = {
          name: name.trim(),
          systemPrompt: prompt,
          model: model || null,
          temperature: temperatureValue,
        };
        if (preset) update.mutate({ id: preset.id, ...fields });
        else create.mutate(fields);
      }}
    >
      <TextField
        label={t("presets.name")}
        value={name}
        onChange={(e) => setName(e.target.value)}
        maxLength={100}
        autoFocus
      />
      <div className="flex flex-col gap-1">
        <label htmlFor={modelId} className="text-sm font-medium">
          {t("chat.model")}
        </label>
        <select
          id={modelId}
          value={model}
          onChange={(e) => setModel(e.target.value)}
          className="h-10 rounded-lg border border-line bg-surface px-2 text-sm text-fg"
        >
          <option value="">{t("presets.modelDefault")}</option>
          {/* A saved model no longer offered still shows, so saving does not silently drop it. */}
          <ModelOptions catalog={models.data} extra={model ? [model] : []} />
        </select>
      </div>
      <TextArea
        label={t("chat.systemPrompt")}
        value={prompt}
        onChange={(e) => setPrompt(e.target.value)}
        maxLength={8000}
      />
      <TextField
        label={t("chat.temperature")}
        hint={t("chat.temperatureHint")}
        value={temperature}
        inputMode="decimal"
        placeholder={t("chat.temperatureDefault")}
        onChange={(e) => setTemperature(e.target.value)}
        error={temperatureValid ? undefined : t("chat.temperatureInvalid")}
      />
      {mutation.error ? <Alert>{errorText(mutation.error, t)}</Alert> : null}
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>{t("chat.cancel")}</Button>
        <Button
          type="submit"
          variant="primary"
          disabled={!name.trim() || !temperatureValid || mutation.isPending}
        >
          {t("presets.save")}
        </Button>
      </div>
    </form>
  );
}

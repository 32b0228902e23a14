import { errorText } from "../../api/errors";
import { useId, useState } from "react";
import { trpc } from "../../api/client";
import { DownloadIcon, MenuIcon, SlidersIcon } from "../../components/icons";
import { Alert, Button, Dialog, IconButton, Menu, TextArea } from "../../components/ui";
import { ModelOptions } from "./ModelOptions";
import { useT } from "../../i18n";
import { downloadText } from "../../lib/download";
import { displayTitle } from "../../lib/titles";
import { useAppDispatch } from "../../store";
import { sidebarToggled } from "../../store/layoutSlice";

export interface ConversationSettings {
  id: string;
  title: string | null;
  model: string | null;
  systemPrompt: string | null;
  temperature: number | null;
}

export interface ChatHeaderProps {
  conversation: ConversationSettings | null;
  /** An existing chat whose details have not arrived (yet): no title rather than "New chat". */
  loading?: boolean;
  /** For a chat that does not exist yet: the model chosen for its first message. */
  pendingModel: string | null;
  onPendingModelChange(model: string): void;
}

export function ChatHeader({
  conversation,
  loading,
  pendingModel,
  onPendingModelChange,
}: ChatHeaderProps) {
  const t = useT();
  const dispatch = useAppDispatch();
  const utils = trpc.useUtils();
  const modelId = useId();
  const temperatureId = useId();
  const temperatureHintId = useId();
  const models = trpc.chat.models.useQuery(undefined, { staleTime: 5 * 60_000 });
  const [promptOpen, setPromptOpen] = useState(false);
  const [prompt, setPrompt] = useState("");
  // Kept as typed: "" is the model's own default.
  const [temperature, setTemperature] = useState("");
  const temperatureValue = temperature.trim() === "" ? null : Number(temperature.replace(",", "."));
  const temperatureValid =
    temperatureValue === null ||
    (Number.isFinite(temperatureValue) && temperatureValue >= 0 && temperatureValue <= 2);
  const update = trpc.chat.conversations.update.useMutation({
    onSuccess: () => {
      setPromptOpen(false);
      if (conversation) void utils.chat.conversations.get.invalidate({ id: conversation.id });
    },
  });
  const [exportError, setExportError] = useState<string | null>(null);
  const exportAs = async (id: string, format: "json" | "markdown") => {
    setExportError(null);
    try {
      const file = await utils.chat.conversations.export.fetch({ id, format }, { staleTime: 0 });
      downloadText(file.filename, file.content, file.mimeType);
    } catch (error) {
      setExportError(error instanceof Error ? error.message : String(error));
    }
  };

  const available = models.data?.models ?? [];
  const currentModel = conversation
    ? (conversation.model ?? models.data?.defaultModel ?? "")
    : (pendingModel ?? models.data?.defaultModel ?? "");

  return (
    // On a phone the model picker takes a row of its own under the title, so the title keeps
    // the width of the screen.
    <header className="flex shrink-0 flex-wrap items-center gap-x-1 gap-y-1 border-b border-line px-2 py-2 sm:h-14 sm:flex-nowrap sm:gap-2 sm:px-4 sm:py-0">
      <IconButton
        label={t("nav.openSidebar")}
        className="md:hidden"
        onClick={() => dispatch(sidebarToggled(true))}
      >
        <MenuIcon />
      </IconButton>
      <h1 className="min-w-0 flex-1 truncate font-medium">
        {conversation || !loading ? displayTitle(conversation?.title, t) : ""}
      </h1>
      <label htmlFor={modelId} className="sr-only">
        {t("chat.model")}
      </label>
      <select
        id={modelId}
        value={currentModel}
        disabled={available.length === 0}
        onChange={(e) => {
          if (conversation) update.mutate({ id: conversation.id, model: e.target.value });
          else onPendingModelChange(e.target.value);
        }}
        className="order-last h-9 w-full min-w-0 truncate rounded-lg border border-line bg-surface px-2 text-sm sm:order-none sm:w-auto sm:max-w-[14rem]"
      >
        {available.length === 0 ? <option value="">{t("chat.noModels")}</option> : null}
        <ModelOptions catalog={models.data} />
      </select>
      {conversation ? (
        <>
          <IconButton
            label={t("chat.settings")}
            onClick={() => {
              setPrompt(conversation.systemPrompt ?? "");
              setTemperature(conversation.temperature?.toString() ?? "");
              update.reset();
              setPromptOpen(true);
            }}
          >
            <SlidersIcon />
          </IconButton>
          <Menu
            label={t("chat.export")}
            trigger={<DownloadIcon />}
            items={[
              {
                label: t("chat.exportMarkdown"),
                onSelect: () => void exportAs(conversation.id, "markdown"),
              },
              {
                label: t("chat.exportJson"),
                onSelect: () => void exportAs(conversation.id, "json"),
              },
            ]}
          />
        </>
      ) : null}
      <Dialog open={promptOpen} onClose={() => setPromptOpen(false)} title={t("chat.settings")}>
        <form
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (conversation && temperatureValid)
              update.mutate({
                id: conversation.id,
                systemPrompt: prompt,
                temperature: temperatureValue,
              });
          }}
        >
          <TextArea
            label={`${t("chat.systemPrompt")}: ${t("chat.systemPromptHint")}`}
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            maxLength={8000}
            rows={6}
          />
          <div className="flex flex-col gap-1.5">
            <label htmlFor={temperatureId} className="text-sm font-medium">
              {t("chat.temperature")}
            </label>
            <div className="flex items-center gap-3">
              <input
                type="range"
                min={0}
                max={2}
                step={0.1}
                aria-label={t("chat.temperatureSlider")}
                value={temperatureValid && temperatureValue !== null ? temperatureValue : 1}
                data-default={temperatureValue === null}
                onChange={(e) => setTemperature(e.target.value)}
                className="min-w-0 flex-1 accent-accent data-[default=true]:opacity-50"
              />
              <input
                id={temperatureId}
                type="text"
                inputMode="decimal"
                value={temperature}
                placeholder={t("chat.temperatureDefault")}
                aria-describedby={temperatureHintId}
                aria-invalid={!temperatureValid}
                maxLength={5}
                onChange={(e) => setTemperature(e.target.value)}
                className="h-9 w-24 rounded-lg border border-line bg-bg px-2 text-sm placeholder:text-fg-soft aria-[invalid=true]:border-danger"
              />
              <Button
                size="sm"
                variant="ghost"
                onClick={() => setTemperature("")}
                disabled={temperature === ""}
              >
                {t("chat.temperatureReset")}
              </Button>
            </div>
            <p id={temperatureHintId} className="text-xs text-fg-soft">
              {temperatureValid ? t("chat.temperatureHint") : t("chat.temperatureInvalid")}
            </p>
          </div>
          {update.error ? <Alert>{errorText(update.error, t)}</Alert> : null}
          <div className="flex justify-end gap-2">
            <Button onClick={() => setPromptOpen(false)}>{t("chat.cancel")}</Button>
            <Button
              type="submit"
              variant="primary"
              disabled={update.isPending || !temperatureValid}
            >
              {t("chat.save")}
            </Button>
          </div>
        </form>
      </Dialog>
      {exportError ? (
        <span className="sr-only" role="alert">
          {exportError}
        </span>
      ) : null}
    </header>
  );
}

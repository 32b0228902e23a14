import { useState, type FormEvent } from "react";
import type { RouterInputs, RouterOutputs } from "@parley/api";
import { trpc } from "../../api/client";
import { errorText, fieldErrors } from "../../api/errors";
import { Alert, Button, ConfirmDialog, Dialog, TextField } from "../../components/ui";
import { useT, type Translate } from "../../i18n";

type Provider = RouterOutputs["providers"]["list"][number];
type TestResult = RouterOutputs["providers"]["test"];

/** "a, b\nc" → ["a", "b", "c"]: models are typed comma- or line-separated. */
const parseList = (value: string) =>
  value
    .split(/[,\n]/)
    .map((m) => m.trim())
    .filter(Boolean);

const PROBE_ERRORS = {
  unreachable: "providers.error.unreachable",
  unauthorized: "providers.error.unauthorized",
  incompatible: "providers.error.incompatible",
} as const;

/** Settings → Providers (admins): the OpenAI-compatible endpoints whose models are offered. */
export function ProvidersSettings() {
  const t = useT();
  const me = trpc.auth.me.useQuery();
  const admin = me.data?.role === "admin";
  const providers = trpc.providers.list.useQuery(undefined, { enabled: admin });
  const utils = trpc.useUtils();
  const [editing, setEditing] = useState<Provider | "new" | null>(null);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const changed = () =>
    Promise.all([utils.providers.list.invalidate(), utils.chat.models.invalidate()]);
  const remove = trpc.providers.delete.useMutation({
    onSuccess: async () => {
      setDeleting(null);
      await changed();
    },
  });

  if (me.data && !admin) return <p className="text-sm text-fg-soft">{t("providers.adminsOnly")}</p>;
  return (
    <div className="flex flex-col gap-6">
      <p className="text-sm text-fg-soft">{t("providers.hint")}</p>
      <div>
        <Button variant="primary" onClick={() => setEditing("new")}>
          {t("providers.add")}
        </Button>
      </div>
      {providers.error ? <Alert>{errorText(providers.error, t)}</Alert> : null}
      <ul className="flex flex-col gap-3" aria-label={t("settings.providers")}>
        {providers.data?.length === 0 ? (
          <li className="text-sm text-fg-soft">{t("providers.none")}</li>
        ) : null}
        {providers.data?.map((provider) => (
          <ProviderCard
            key={provider.id}
            provider={provider}
            onEdit={() => setEditing(provider)}
            onDelete={() => {
              remove.reset();
              setDeleting(provider);
            }}
          />
        ))}
      </ul>
      {editing ? (
        <ProviderDialog
          provider={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={async () => {
            setEditing(null);
            await changed();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        title={t("providers.deleteTitle")}
        error={remove.error ? errorText(remove.error, t) : null}
        confirmLabel={t("providers.delete")}
        cancelLabel={t("chat.cancel")}
        pending={remove.isPending}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      >
        {t("providers.deleteBody", { name: deleting?.name ?? "" })}
      </ConfirmDialog>
    </div>
  );
}

function ProviderCard({
  provider,
  onEdit,
  onDelete,
}: {
  provider: Provider;
  onEdit(): void;
  onDelete(): void;
}) {
  const t = useT();
  const test = trpc.providers.test.useMutation();
  const name = provider.environment ? t("providers.environment") : provider.name;
  return (
    <li
      data-testid="provider"
      className="flex flex-col gap-2 rounded-xl border border-line bg-surface p-3"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium">
            {name}
            {!provider.enabled ? (
              <span className="ml-2 text-xs text-fg-soft">({t("providers.disabled")})</span>
            ) : null}
          </p>
          <p className="break-all text-xs text-fg-soft">
            <code>{provider.baseUrl}</code> ·{" "}
            {provider.hasApiKey ? t("providers.keySet") : t("providers.keyNone")}
          </p>
          <p className="text-xs text-fg-soft">
            {t("providers.models")}:{" "}
            {provider.models.length ? provider.models.join(", ") : t("providers.allModels")}
          </p>
          {provider.visionModels?.length ? (
            <p className="text-xs text-fg-soft">
              {t("providers.visionModels")}: {provider.visionModels.join(", ")}
            </p>
          ) : null}
          {provider.environment ? (
            <p className="text-xs text-fg-soft">{t("providers.environmentHint")}</p>
          ) : null}
        </div>
        {provider.environment ? null : (
          <div className="flex flex-wrap gap-2">
            <Button
              size="sm"
              onClick={() => test.mutate({ id: provider.id })}
              disabled={test.isPending}
            >
              {test.isPending ? t("providers.testing") : t("providers.test")}
            </Button>
            <Button size="sm" onClick={onEdit}>
              {t("providers.edit")}
            </Button>
            <Button size="sm" variant="danger" onClick={onDelete}>
              {t("providers.delete")}
            </Button>
          </div>
        )}
      </div>
      <TestOutcome result={test.data} error={test.error} t={t} />
    </li>
  );
}

function TestOutcome({
  result,
  error,
  t,
}: {
  result: TestResult | undefined;
  error: unknown;
  t: Translate;
}) {
  if (error) return <Alert>{errorText(error, t)}</Alert>;
  if (!result) return null;
  if (result.ok)
    return (
      <div data-testid="provider-test-result">
        <Alert tone="success">
          {result.models.length
            ? t("providers.testOk", {
                count: String(result.models.length),
                models: result.models.slice(0, 20).join(", "),
              })
            : t("providers.testOkNone")}
        </Alert>
      </div>
    );
  return (
    <div data-testid="provider-test-result">
      <Alert>
        <span className="font-medium">{t(PROBE_ERRORS[result.error])}</span>: {result.message}
      </Alert>
    </div>
  );
}

function ProviderDialog({
  provider,
  onClose,
  onSaved,
}: {
  provider: Provider | null;
  onClose(): void;
  onSaved(): Promise<void>;
}) {
  const t = useT();
  const [name, setName] = useState(provider?.name ?? "");
  const [baseUrl, setBaseUrl] = useState(provider?.baseUrl ?? "");
  const [apiKey, setApiKey] = useState("");
  const [clearKey, setClearKey] = useState(false);
  const [models, setModels] = useState(provider?.models.join(", ") ?? "");
  const [vision, setVision] = useState(provider?.visionModels?.join(", ") ?? "");
  const [enabled, setEnabled] = useState(provider?.enabled ?? true);
  const create = trpc.providers.create.useMutation({ onSuccess: onSaved });
  const update = trpc.providers.update.useMutation({ onSuccess: onSaved });
  const test = trpc.providers.test.useMutation();
  const save = provider ? update : create;
  const errors = fieldErrors(save.error, t);
  const testErrors = fieldErrors(test.error, t);

  // The key as typed: absent keeps the stored one (edit), null clears it.
  const keyInput = (): string | null | undefined => {
    if (apiKey.trim()) return apiKey.trim();
    if (!provider) return null;
    return clearKey ? null : undefined;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fields = {
      name,
      baseUrl,
      models: parseList(models),
      visionModels: parseList(vision),
      enabled,
    };
    if (provider) {
      const input: RouterInputs["providers"]["update"] = { id: provider.id, ...fields };
      const key = keyInput();
      if (key !== undefined) input.apiKey = key;
      update.mutate(input);
    } else create.mutate({ ...fields, apiKey: keyInput() ?? null });
  };

  const runTest = () => {
    const key = keyInput();
    test.mutate({
      ...(provider ? { id: provider.id } : {}),
      baseUrl,
      ...(key !== undefined ? { apiKey: key } : {}),
    });
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title={provider ? t("providers.editTitle") : t("providers.addTitle")}
    >
      <form className="flex flex-col gap-3" onSubmit={submit} noValidate>
        <TextField
          label={t("providers.name")}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.fields.name ?? undefined}
          maxLength={100}
          autoFocus
        />
        <TextField
          label={t("providers.baseUrl")}
          hint={t("providers.baseUrlHint")}
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          error={errors.fields.baseUrl ?? testErrors.fields.baseUrl ?? undefined}
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          maxLength={500}
        />
        <TextField
          label={t("providers.apiKey")}
          hint={provider?.hasApiKey ? t("providers.apiKeyKeep") : t("providers.apiKeyHint")}
          type="password"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          error={errors.fields.apiKey ?? testErrors.fields.apiKey ?? undefined}
          autoComplete="new-password"
          disabled={clearKey}
        />
        {provider?.hasApiKey ? (
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={clearKey}
              onChange={(e) => setClearKey(e.target.checked)}
            />
            {t("providers.apiKeyClear")}
          </label>
        ) : null}
        <TextField
          label={t("providers.models")}
          hint={t("providers.modelsHint")}
          value={models}
          onChange={(e) => setModels(e.target.value)}
          error={errors.fields.models ?? undefined}
          spellCheck={false}
        />
        <TextField
          label={t("providers.visionModels")}
          hint={t("providers.visionModelsHint")}
          value={vision}
          onChange={(e) => setVision(e.target.value)}
          error={errors.fields.visionModels ?? undefined}
          spellCheck={false}
        />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          {t("providers.enabled")}
        </label>
        {errors.form ? <Alert>{errors.form}</Alert> : null}
        <TestOutcome result={test.data} error={testErrors.form ? test.error : null} t={t} />
        <div className="flex flex-wrap justify-end gap-2">
          <Button onClick={runTest} disabled={!baseUrl.trim() || test.isPending}>
            {test.isPending ? t("providers.testing") : t("providers.test")}
          </Button>
          <Button onClick={onClose}>{t("chat.cancel")}</Button>
          <Button
            type="submit"
            variant="primary"
            disabled={!name.trim() || !baseUrl.trim() || save.isPending}
          >
            {t("providers.save")}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

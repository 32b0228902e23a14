import { useState, type FormEvent } from "react";
import { trpc } from "../../api/client";
import { fieldErrors, errorText } from "../../api/errors";
import { Alert, Button, Dialog, TextField } from "../../components/ui";
import { formatDate, useLanguage, useT } from "../../i18n";

export function ApiKeysSettings() {
  const t = useT();
  const language = useLanguage();
  const utils = trpc.useUtils();
  const keys = trpc.auth.apiKeys.list.useQuery();
  const [name, setName] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const create = trpc.auth.apiKeys.create.useMutation({
    onSuccess: (key) => {
      setName("");
      setCopied(false);
      setSecret(key.secret);
      void utils.auth.apiKeys.list.invalidate();
    },
  });
  const revoke = trpc.auth.apiKeys.revoke.useMutation({
    onSuccess: () => utils.auth.apiKeys.list.invalidate(),
  });
  const errors = fieldErrors(create.error, t);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name });
  };
  return (
    <div className="flex flex-col gap-6">
      <p className="text-sm text-fg-soft">{t("settings.apiKeysHint")}</p>
      <form className="flex max-w-md flex-wrap items-end gap-2" onSubmit={submit} noValidate>
        <TextField
          className="min-w-0 flex-1"
          label={t("settings.keyName")}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.fields.name ?? errors.form ?? undefined}
          maxLength={100}
        />
        <Button type="submit" variant="primary" disabled={!name.trim() || create.isPending}>
          {t("settings.createKey")}
        </Button>
      </form>
      {revoke.error ? <Alert>{errorText(revoke.error, t)}</Alert> : null}
      <ul className="flex flex-col gap-2" aria-label={t("settings.apiKeys")}>
        {keys.data?.length === 0 ? (
          <li className="text-sm text-fg-soft">{t("settings.noKeys")}</li>
        ) : null}
        {keys.data?.map((key) => (
          <li
            key={key.id}
            className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-line bg-surface p-3"
          >
            <div className="min-w-0">
              <p className="font-medium">{key.name}</p>
              <p className="text-xs text-fg-soft">
                <code>{key.prefix}…</code> · {t("settings.created")}:{" "}
                {formatDate(language, key.createdAt)} · {t("settings.lastUsed")}:{" "}
                {key.lastUsedAt ? formatDate(language, key.lastUsedAt) : t("common.never")}
              </p>
            </div>
            <Button
              size="sm"
              onClick={() => revoke.mutate({ id: key.id })}
              disabled={revoke.isPending}
            >
              {t("settings.revoke")}
            </Button>
          </li>
        ))}
      </ul>
      <Dialog
        open={secret !== null}
        onClose={() => setSecret(null)}
        title={t("settings.newKeyTitle")}
      >
        <p className="text-sm text-fg-soft">{t("settings.newKeyHint")}</p>
        <code
          data-testid="api-key-secret"
          className="block break-all rounded-lg border border-line bg-muted p-3 text-sm"
        >
          {secret}
        </code>
        <div className="flex justify-end gap-2">
          <Button
            onClick={() => {
              if (secret) void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
            }}
          >
            {copied ? t("chat.copied") : t("chat.copy")}
          </Button>
          <Button variant="primary" onClick={() => setSecret(null)}>
            {t("common.close")}
          </Button>
        </div>
      </Dialog>
    </div>
  );
}

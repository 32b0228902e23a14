import { useState, type FormEvent } from "react";
import { trpc } from "../../api/client";
import { fieldErrors, errorText } from "../../api/errors";
import { Alert, Button, Dialog, TextField } from "../../components/ui";
import { formatDate, useLanguage, useT } from "../../i18n";

type Scope = "chat" | "read" | "admin";
const SCOPES: Scope[] = ["chat", "read", "admin"];
const DEFAULT_SCOPES: Scope[] = ["chat", "read"];

/** The end of the chosen day in the user's time zone: a key "until 31 Dec" works all that day. */
function endOfDay(date: string): Date | null {
  if (!date) return null;
  const [y, m, d] = date.split("-").map(Number);
  return y && m && d ? new Date(y, m - 1, d, 23, 59, 59, 999) : null;
}

export function ApiKeysSettings() {
  const t = useT();
  const language = useLanguage();
  const utils = trpc.useUtils();
  const keys = trpc.auth.apiKeys.list.useQuery();
  const me = trpc.auth.me.useQuery();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(DEFAULT_SCOPES);
  const [expiry, setExpiry] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const create = trpc.auth.apiKeys.create.useMutation({
    onSuccess: (key) => {
      setName("");
      setScopes(DEFAULT_SCOPES);
      setExpiry("");
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
    create.mutate({ name, scopes, expiresAt: endOfDay(expiry) });
  };
  // Only an admin's key may carry the admin scope; others are not offered it.
  const offered = SCOPES.filter((s) => s !== "admin" || me.data?.role === "admin");
  const toggle = (scope: Scope, on: boolean) =>
    setScopes((current) =>
      on
        ? SCOPES.filter((s) => s === scope || current.includes(s))
        : current.filter((s) => s !== scope),
    );
  const now = Date.now();
  return (
    <div className="flex flex-col gap-6">
      <p className="text-sm text-fg-soft">{t("settings.apiKeysHint")}</p>
      <form className="flex max-w-md flex-col gap-3" onSubmit={submit} noValidate>
        <TextField
          label={t("settings.keyName")}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.fields.name ?? errors.form ?? undefined}
          maxLength={100}
        />
        <fieldset className="flex flex-col gap-1">
          <legend className="text-sm font-medium">{t("settings.keyScopes")}</legend>
          {offered.map((scope) => (
            <label key={scope} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) => toggle(scope, e.target.checked)}
              />
              <span>
                <code>{scope}</code> — {t(`settings.scope.${scope}` as const)}
              </span>
            </label>
          ))}
          {errors.fields.scopes ? (
            <p className="text-xs text-danger" role="alert">
              {errors.fields.scopes}
            </p>
          ) : null}
          <p className="text-xs text-fg-soft">{t("settings.keyScopesHint")}</p>
        </fieldset>
        <TextField
          type="date"
          label={t("settings.keyExpiry")}
          hint={t("settings.keyExpiryHint")}
          value={expiry}
          onChange={(e) => setExpiry(e.target.value)}
          error={errors.fields.expiresAt ?? undefined}
        />
        <div>
          <Button
            type="submit"
            variant="primary"
            disabled={!name.trim() || scopes.length === 0 || create.isPending}
          >
            {t("settings.createKey")}
          </Button>
        </div>
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
                <code>{key.prefix}…</code> · {t("settings.keyCreated")}:{" "}
                {formatDate(language, key.createdAt)} · {t("settings.lastUsed")}:{" "}
                {key.lastUsedAt ? formatDate(language, key.lastUsedAt) : t("common.never")}
              </p>
              <p className="text-xs text-fg-soft">
                {t("settings.keyScopes")}: {key.scopes.join(", ")} ·{" "}
                {key.expiresAt === null
                  ? t("settings.keyNoExpiry")
                  : `${key.expiresAt.getTime() <= now ? t("settings.keyExpired") : t("settings.keyExpires")}: ${formatDate(language, key.expiresAt)}`}
              </p>
            </div>
            <Button
              size="sm"
              onClick={() => revoke.mutate({ id: key.id })}
              disabled={revoke.isPending}
            >
              {t("settings.revokeAccess")}
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

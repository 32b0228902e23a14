import { useState, type FormEvent } from "react";
import { trpc } from "../../api/client";
import { fieldErrors } from "../../api/errors";
import { Alert, Button, TextField } from "../../components/ui";
import { useT } from "../../i18n";
import { PasswordField } from "../account-fields";
import { RecoveryCodes, TotpEnrolmentForm } from "../identity/TotpEnrolment";

/** Two-factor sign-in: turn on (QR code + confirmation code), renew recovery codes, turn off
 * (password + a code). */
export function SecuritySettings() {
  const t = useT();
  const utils = trpc.useUtils();
  const status = trpc.twoFactor.status.useQuery();
  const [codes, setCodes] = useState<string[] | null>(null);
  const refresh = () => utils.twoFactor.status.invalidate();
  const begin = trpc.twoFactor.begin.useMutation();
  const confirm = trpc.twoFactor.confirm.useMutation({
    onSuccess: (result) => {
      setCodes(result.recoveryCodes);
      begin.reset();
      void refresh();
    },
  });
  const confirmErrors = fieldErrors(confirm.error);

  if (codes) {
    return (
      <section className="flex max-w-md flex-col gap-4" aria-labelledby="tf-title">
        <h2 id="tf-title" className="font-medium">
          {t("twoFactor.title")}
        </h2>
        <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
      </section>
    );
  }
  return (
    <section className="flex max-w-md flex-col gap-4" aria-labelledby="tf-title">
      <h2 id="tf-title" className="font-medium">
        {t("twoFactor.title")}
      </h2>
      <p className="text-sm text-fg-soft">{t("twoFactor.hint")}</p>
      {status.data?.required ? <Alert tone="info">{t("twoFactor.requiredByAdmin")}</Alert> : null}
      {status.data?.enabled ? (
        <>
          <Alert tone="success">
            {t("twoFactor.on", { count: status.data.recoveryCodesLeft })}
          </Alert>
          <RenewCodes
            onRenewed={(next) => {
              setCodes(next);
              void refresh();
            }}
          />
          {status.data.required ? null : <DisableTwoFactor onDisabled={() => void refresh()} />}
        </>
      ) : begin.data ? (
        <TotpEnrolmentForm
          enrolment={begin.data}
          pending={confirm.isPending}
          error={confirmErrors.fields.code ?? confirmErrors.form}
          onConfirm={(code) => confirm.mutate({ code })}
        />
      ) : (
        <div>
          {begin.error ? <Alert>{begin.error.message}</Alert> : null}
          <Button variant="primary" onClick={() => begin.mutate()} disabled={begin.isPending}>
            {t("twoFactor.setUp")}
          </Button>
        </div>
      )}
    </section>
  );
}

function SecondFactorField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  const t = useT();
  return (
    <TextField
      label={t("twoFactor.codeOrRecovery")}
      name="code"
      autoComplete="one-time-code"
      maxLength={64}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
    />
  );
}

/** Six digits are an app code; anything else is taken as a recovery code. */
function factorInput(value: string) {
  const trimmed = value.replace(/\s/g, "");
  return /^\d{6}$/.test(trimmed) ? { code: trimmed } : { recoveryCode: value.trim() };
}

function RenewCodes({ onRenewed }: { onRenewed: (codes: string[]) => void }) {
  const t = useT();
  const [value, setValue] = useState("");
  const renew = trpc.twoFactor.regenerateRecoveryCodes.useMutation({
    onSuccess: (result) => {
      setValue("");
      onRenewed(result.recoveryCodes);
    },
  });
  const errors = fieldErrors(renew.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    renew.mutate(factorInput(value));
  };
  return (
    <form
      className="flex flex-col gap-3 rounded-xl border border-line p-4"
      onSubmit={submit}
      noValidate
    >
      <h3 className="text-sm font-medium">{t("twoFactor.renewTitle")}</h3>
      <SecondFactorField
        value={value}
        onChange={setValue}
        error={errors.fields.code ?? errors.fields.recoveryCode ?? errors.form ?? undefined}
      />
      <div>
        <Button type="submit" disabled={!value.trim() || renew.isPending}>
          {t("twoFactor.renew")}
        </Button>
      </div>
    </form>
  );
}

function DisableTwoFactor({ onDisabled }: { onDisabled: () => void }) {
  const t = useT();
  const [password, setPassword] = useState("");
  const [value, setValue] = useState("");
  const disable = trpc.twoFactor.disable.useMutation({
    onSuccess: () => {
      setPassword("");
      setValue("");
      onDisabled();
    },
  });
  const errors = fieldErrors(disable.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    disable.mutate({ password, ...factorInput(value) });
  };
  return (
    <form
      className="flex flex-col gap-3 rounded-xl border border-line p-4"
      onSubmit={submit}
      noValidate
    >
      <h3 className="text-sm font-medium">{t("twoFactor.disableTitle")}</h3>
      <PasswordField
        purpose="current"
        name="password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.fields.password}
      />
      <SecondFactorField
        value={value}
        onChange={setValue}
        error={errors.fields.code ?? errors.fields.recoveryCode ?? errors.form ?? undefined}
      />
      <div>
        <Button
          type="submit"
          variant="danger"
          disabled={!password || !value.trim() || disable.isPending}
        >
          {t("twoFactor.disable")}
        </Button>
      </div>
    </form>
  );
}

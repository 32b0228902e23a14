import { useState, type FormEvent } from "react";
import { trpc } from "../../api/client";
import { fieldErrors } from "../../api/errors";
import type { IssuedTokens } from "../../api/session";
import { Alert, Button, TextField } from "../../components/ui";
import { useT } from "../../i18n";
import { useSession } from "../../lib/session";
import { RecoveryCodes, TotpEnrolmentForm } from "./TotpEnrolment";

/** What auth.login / auth.register answer when a second step is needed (see the API's
 * features/auth/service.ts): a short-lived challenge for it. */
export interface SecondStepChallenge {
  purpose: "code" | "setup";
  challenge: string;
}

export function secondStepOf(error: unknown): SecondStepChallenge | null {
  const details = (error as { data?: { details?: Record<string, unknown> | null } } | null)?.data
    ?.details;
  const purpose = details?.twoFactor;
  const challenge = details?.challenge;
  if ((purpose === "code" || purpose === "setup") && typeof challenge === "string")
    return { purpose, challenge };
  return null;
}

/** The code from the authenticator app, or one recovery code. */
export function TwoFactorCodeForm({
  challenge,
  onBack,
}: {
  challenge: string;
  onBack: () => void;
}) {
  const t = useT();
  const session = useSession();
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState("");
  const verify = trpc.auth.twoFactor.verify.useMutation({
    onSuccess: (tokens) => session.completeSignIn(tokens),
  });
  const errors = fieldErrors(verify.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate({
      challenge,
      ...(useRecovery ? { recoveryCode: value } : { code: value }),
      ...(session.tokenInBody ? { refreshTokenInBody: true } : {}),
    });
  };
  const fieldError = errors.fields.code ?? errors.fields.recoveryCode ?? errors.form ?? undefined;
  return (
    <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
      <p className="text-sm text-fg-soft">
        {useRecovery ? t("twoFactor.recoveryPrompt") : t("twoFactor.codePrompt")}
      </p>
      <TextField
        key={useRecovery ? "recovery" : "code"}
        label={useRecovery ? t("twoFactor.recoveryCode") : t("twoFactor.code")}
        name={useRecovery ? "recoveryCode" : "code"}
        inputMode={useRecovery ? "text" : "numeric"}
        autoComplete="one-time-code"
        maxLength={useRecovery ? 64 : 8}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        error={fieldError}
        autoFocus
      />
      <Button type="submit" variant="primary" disabled={!value.trim() || verify.isPending}>
        {verify.isPending ? t("auth.submitting") : t("twoFactor.verify")}
      </Button>
      <div className="flex justify-between text-sm">
        <button type="button" className="text-accent hover:underline" onClick={onBack}>
          {t("twoFactor.back")}
        </button>
        <button
          type="button"
          className="text-accent hover:underline"
          onClick={() => {
            setUseRecovery(!useRecovery);
            setValue("");
            verify.reset();
          }}
        >
          {useRecovery ? t("twoFactor.useApp") : t("twoFactor.useRecovery")}
        </button>
      </div>
    </form>
  );
}

/** 2FA is required and the account has none: enrol before the first session. */
export function TwoFactorSetupForm({
  challenge,
  onBack,
}: {
  challenge: string;
  onBack: () => void;
}) {
  const t = useT();
  const session = useSession();
  const [done, setDone] = useState<(IssuedTokens & { recoveryCodes: string[] }) | null>(null);
  const begin = trpc.auth.twoFactor.setupBegin.useMutation();
  const confirm = trpc.auth.twoFactor.setupConfirm.useMutation({ onSuccess: setDone });
  const errors = fieldErrors(confirm.error);

  if (done) {
    return (
      <RecoveryCodes codes={done.recoveryCodes} onDone={() => void session.completeSignIn(done)} />
    );
  }
  if (!begin.data) {
    return (
      <div className="flex flex-col gap-4">
        <Alert tone="info">{t("twoFactor.requiredNotice")}</Alert>
        {begin.error ? <Alert>{begin.error.message}</Alert> : null}
        <Button
          variant="primary"
          onClick={() => begin.mutate({ challenge })}
          disabled={begin.isPending}
        >
          {t("twoFactor.setUp")}
        </Button>
        <button type="button" className="text-sm text-accent hover:underline" onClick={onBack}>
          {t("twoFactor.back")}
        </button>
      </div>
    );
  }
  return (
    <TotpEnrolmentForm
      enrolment={begin.data}
      pending={confirm.isPending}
      error={errors.fields.code ?? errors.form}
      onConfirm={(code) =>
        confirm.mutate({
          challenge,
          code,
          ...(session.tokenInBody ? { refreshTokenInBody: true } : {}),
        })
      }
    />
  );
}

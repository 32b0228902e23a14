import { useState, type FormEvent } from "react";
import type { TotpEnrolment as Enrolment } from "@parley/api";
import { Alert, Button, TextField } from "../../components/ui";
import { useT } from "../../i18n";

/** The QR code, the secret for typing by hand, and the confirmation code field. */
export function TotpEnrolmentForm({
  enrolment,
  onConfirm,
  pending,
  error,
}: {
  enrolment: Enrolment;
  onConfirm: (code: string) => void;
  pending: boolean;
  error: string | null;
}) {
  const t = useT();
  const [code, setCode] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onConfirm(code);
  };
  return (
    <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
      <p className="text-sm text-fg-soft">{t("twoFactor.scanHint")}</p>
      <img
        src={enrolment.qrCode}
        alt={t("twoFactor.qrAlt")}
        width={192}
        height={192}
        className="self-center rounded-lg bg-white p-2"
      />
      <div className="text-sm">
        <p className="text-fg-soft">{t("twoFactor.manualHint")}</p>
        <code data-testid="totp-secret" className="block break-all font-mono text-sm">
          {enrolment.secret}
        </code>
      </div>
      <TextField
        label={t("twoFactor.code")}
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={8}
        value={code}
        onChange={(e) => setCode(e.target.value)}
        error={error ?? undefined}
        autoFocus
      />
      <Button type="submit" variant="primary" disabled={!code.trim() || pending}>
        {t("twoFactor.confirm")}
      </Button>
    </form>
  );
}

/** Shown once after enrolment or renewal: the codes, and a way to copy them. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <div className="flex flex-col gap-3">
      <Alert tone="info">{t("twoFactor.recoveryHint")}</Alert>
      <ul
        aria-label={t("twoFactor.recoveryCodes")}
        data-testid="recovery-codes"
        className="grid grid-cols-2 gap-1 rounded-lg border border-line bg-muted p-3 font-mono text-sm"
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="flex justify-end gap-2">
        <Button
          onClick={() =>
            void navigator.clipboard?.writeText(codes.join("\n")).then(() => setCopied(true))
          }
        >
          {copied ? t("chat.copied") : t("chat.copy")}
        </Button>
        <Button variant="primary" onClick={onDone}>
          {t("twoFactor.savedCodes")}
        </Button>
      </div>
    </div>
  );
}

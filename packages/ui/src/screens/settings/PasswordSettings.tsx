import { useState, type FormEvent } from "react";
import { trpc } from "../../api/client";
import { fieldErrors } from "../../api/errors";
import { Alert, Button } from "../../components/ui";
import { useT } from "../../i18n";
import { PasswordField } from "../account-fields";

export function PasswordSettings() {
  const t = useT();
  const utils = trpc.useUtils();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = trpc.user.changePassword.useMutation({
    onSuccess: () => {
      setCurrent("");
      setNext("");
      void utils.auth.sessions.list.invalidate();
    },
  });
  const errors = fieldErrors(change.error, t);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate({ current, next });
  };
  return (
    <form className="flex max-w-md flex-col gap-4" onSubmit={submit} noValidate>
      {errors.form ? <Alert>{errors.form}</Alert> : null}
      {change.isSuccess ? <Alert tone="success">{t("settings.passwordChanged")}</Alert> : null}
      <PasswordField
        purpose="current"
        label={t("settings.currentPassword")}
        name="current"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        error={errors.fields.current}
      />
      <PasswordField
        purpose="new"
        label={t("settings.newPassword")}
        name="next"
        value={next}
        onChange={(e) => setNext(e.target.value)}
        error={errors.fields.next}
      />
      <div>
        <Button type="submit" variant="primary" disabled={!current || !next || change.isPending}>
          {t("settings.changePassword")}
        </Button>
      </div>
    </form>
  );
}

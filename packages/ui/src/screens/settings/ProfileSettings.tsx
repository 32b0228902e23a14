import { useEffect, useState, type FormEvent } from "react";
import { trpc } from "../../api/client";
import { fieldErrors } from "../../api/errors";
import { Alert, Button, Dialog } from "../../components/ui";
import { useT } from "../../i18n";
import { useSession } from "../../lib/session";
import { EmailField, PasswordField, UsernameField } from "../account-fields";

export function ProfileSettings() {
  const t = useT();
  const utils = trpc.useUtils();
  const me = trpc.auth.me.useQuery();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  useEffect(() => {
    if (me.data) {
      setUsername(me.data.username);
      setEmail(me.data.email);
    }
  }, [me.data]);
  const update = trpc.user.update.useMutation({ onSuccess: () => utils.auth.me.invalidate() });
  const errors = fieldErrors(update.error, t);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!me.data) return;
    update.mutate({
      ...(username !== me.data.username ? { username } : {}),
      ...(email !== me.data.email ? { email } : {}),
    });
  };
  const unchanged = !me.data || (username === me.data.username && email === me.data.email);
  return (
    <div className="flex flex-col gap-8">
      <form className="flex max-w-md flex-col gap-4" onSubmit={submit} noValidate>
        {errors.form ? <Alert>{errors.form}</Alert> : null}
        {update.isSuccess && unchanged ? <Alert tone="success">{t("settings.saved")}</Alert> : null}
        <UsernameField
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={errors.fields.username}
        />
        <EmailField
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.fields.email}
        />
        {me.data ? (
          <p className="text-sm text-fg-soft">
            {t("settings.role")}:{" "}
            {me.data.role === "admin" ? t("admin.roleAdmin") : t("admin.roleUser")}
          </p>
        ) : null}
        <div>
          <Button type="submit" variant="primary" disabled={unchanged || update.isPending}>
            {t("settings.save")}
          </Button>
        </div>
      </form>
      <DeleteAccount />
    </div>
  );
}

function DeleteAccount() {
  const t = useT();
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const remove = trpc.user.delete.useMutation({ onSuccess: () => session.expire() });
  const errors = fieldErrors(remove.error, t);
  return (
    <section
      className="max-w-md rounded-xl border border-danger/40 p-4"
      aria-labelledby="delete-account"
    >
      <h3 id="delete-account" className="font-semibold text-danger">
        {t("settings.deleteAccount")}
      </h3>
      <p className="mt-1 text-sm text-fg-soft">{t("settings.deleteAccountHint")}</p>
      <Button variant="danger" className="mt-3" onClick={() => setOpen(true)}>
        {t("settings.deleteAccountButton")}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={t("settings.deleteAccount")}>
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            remove.mutate({ password });
          }}
        >
          <p className="text-sm">{t("settings.deleteAccountHint")}</p>
          <PasswordField
            purpose="current"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.fields.password ?? errors.form ?? undefined}
          />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>{t("chat.cancel")}</Button>
            <Button type="submit" variant="danger" disabled={!password || remove.isPending}>
              {t("settings.deleteAccountButton")}
            </Button>
          </div>
        </form>
      </Dialog>
    </section>
  );
}

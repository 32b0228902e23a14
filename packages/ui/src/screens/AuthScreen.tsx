import { useState, type ReactNode } from "react";
import { trpc } from "../api/client";
import { fieldErrors } from "../api/errors";
import { LogoIcon } from "../components/icons";
import { Alert, Button, TextField } from "../components/ui";
import { useT } from "../i18n";
import { useSession } from "../lib/session";
import { useAppSelector } from "../store";
import { EmailField, PasswordField, UsernameField } from "./account-fields";
import { HealthFooter } from "./HealthFooter";
import { LanguageThemeQuickSwitch } from "./settings/AppearanceSettings";

/** Sign in and registration on one screen; field errors from the API sit under their field. */
export function AuthScreen() {
  const t = useT();
  const [mode, setMode] = useState<"signIn" | "register">("signIn");
  const expired = useAppSelector((s) => s.auth.signedOutReason === "expired");
  return (
    <div className="flex min-h-full flex-col items-center justify-between gap-6 px-4 py-8">
      <div className="flex w-full max-w-sm justify-end">
        <LanguageThemeQuickSwitch />
      </div>
      <main id="main" className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center gap-3 text-accent">
          <LogoIcon width={44} height={44} />
          <h1 className="text-center text-2xl font-semibold text-fg">
            {mode === "signIn" ? t("auth.signInTitle") : t("auth.registerTitle")}
          </h1>
        </div>
        <div className="rounded-2xl border border-line bg-surface p-6 shadow-sm">
          {expired && mode === "signIn" ? (
            <div className="mb-4">
              <Alert tone="info">{t("auth.expired")}</Alert>
            </div>
          ) : null}
          {mode === "signIn" ? <SignInForm /> : <RegisterForm />}
        </div>
        <p className="mt-4 text-center text-sm text-fg-soft">
          {mode === "signIn" ? t("auth.noAccount") : t("auth.haveAccount")}{" "}
          <button
            type="button"
            className="font-medium text-accent underline-offset-2 hover:underline"
            onClick={() => setMode(mode === "signIn" ? "register" : "signIn")}
          >
            {mode === "signIn" ? t("auth.register") : t("auth.signIn")}
          </button>
        </p>
      </main>
      <HealthFooter />
    </div>
  );
}

function SignInForm() {
  const t = useT();
  const session = useSession();
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const mutation = trpc.auth.login.useMutation({
    onSuccess: (tokens) => session.completeSignIn(tokens),
  });
  const errors = fieldErrors(mutation.error, t);
  const submit = () =>
    mutation.mutate({
      login,
      password,
      ...(session.tokenInBody ? { refreshTokenInBody: true } : {}),
    });
  return (
    <AuthForm
      onSubmit={submit}
      formError={errors.form}
      pending={mutation.isPending}
      submitLabel={t("auth.signIn")}
    >
      <TextField
        label={t("auth.login")}
        name="login"
        autoComplete="username"
        value={login}
        onChange={(e) => setLogin(e.target.value)}
        error={errors.fields.login}
        required
        autoFocus
      />
      <PasswordField
        purpose="current"
        name="password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.fields.password}
        required
      />
    </AuthForm>
  );
}

function RegisterForm() {
  const t = useT();
  const session = useSession();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const mutation = trpc.auth.register.useMutation({
    onSuccess: (tokens) => session.completeSignIn(tokens),
  });
  const errors = fieldErrors(mutation.error, t);
  const submit = () =>
    mutation.mutate({
      username,
      email,
      password,
      ...(session.tokenInBody ? { refreshTokenInBody: true } : {}),
    });
  return (
    <AuthForm
      onSubmit={submit}
      formError={errors.form}
      pending={mutation.isPending}
      submitLabel={t("auth.register")}
    >
      <UsernameField
        hint={t("auth.usernameHint")}
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        error={errors.fields.username}
        required
        autoFocus
      />
      <EmailField
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.fields.email}
        required
      />
      <PasswordField
        purpose="new"
        name="password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.fields.password}
        required
      />
    </AuthForm>
  );
}

/** The frame both forms share: the API's form-level error above the fields, submit below. */
function AuthForm({
  onSubmit,
  formError,
  pending,
  submitLabel,
  children,
}: {
  onSubmit: () => void;
  formError: string | null;
  pending: boolean;
  submitLabel: string;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <form
      className="flex flex-col gap-4"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
      noValidate
    >
      {formError ? <Alert>{formError}</Alert> : null}
      {children}
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? t("auth.submitting") : submitLabel}
      </Button>
    </form>
  );
}

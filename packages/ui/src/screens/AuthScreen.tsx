import { useEffect, useState, type ReactNode } from "react";
import { trpc } from "../api/client";
import { fieldErrors } from "../api/errors";
import { LogoIcon } from "../components/icons";
import { Alert, Button, TextField } from "../components/ui";
import { useT, type MessageKey } from "../i18n";
import { usePlatform } from "../lib/platform";
import { useSession } from "../lib/session";
import { useAppSelector } from "../store";
import { EmailField, PasswordField, UsernameField } from "./account-fields";
import { HealthFooter } from "./HealthFooter";
import {
  secondStepOf,
  TwoFactorCodeForm,
  TwoFactorSetupForm,
  type SecondStepChallenge,
} from "./identity/SecondStep";
import { LanguageThemeQuickSwitch } from "./settings/AppearanceSettings";

const SSO_ERRORS: Record<string, MessageKey> = {
  expired: "sso.error.expired",
  provider: "sso.error.provider",
  denied: "sso.error.denied",
  registration_closed: "sso.error.registrationClosed",
  email_unverified: "sso.error.emailUnverified",
  email_in_use: "sso.error.emailInUse",
  disabled: "sso.error.disabled",
};

/** Read once from the address the app was opened at (an invitation link, an SSO failure),
 * then removed from it so a reload does not repeat it. */
function takeQueryParams(): { invite: string | null; ssoError: string | null } {
  if (typeof window === "undefined") return { invite: null, ssoError: null };
  const params = new URLSearchParams(window.location.search);
  const found = { invite: params.get("invite"), ssoError: params.get("sso_error") };
  if (found.ssoError) {
    params.delete("sso_error");
    const query = params.toString();
    window.history.replaceState(null, "", `${window.location.pathname}${query ? `?${query}` : ""}`);
  }
  return found;
}

/** Sign in and registration on one screen; field errors from the API sit under their field. */
export function AuthScreen() {
  const t = useT();
  const [query] = useState(takeQueryParams);
  const [mode, setMode] = useState<"signIn" | "register">(query.invite ? "register" : "signIn");
  const [secondStep, setSecondStep] = useState<SecondStepChallenge | null>(null);
  const signedOutReason = useAppSelector((s) => s.auth.signedOutReason);
  const info = trpc.registration.info.useQuery(undefined, { staleTime: 30_000 });
  const mayRegister = info.data ? info.data.mode !== "closed" || info.data.firstAccount : true;
  const needsInvite = info.data?.mode === "invite" && !info.data.firstAccount;
  const ssoError = query.ssoError ? (SSO_ERRORS[query.ssoError] ?? "sso.error.provider") : null;
  useEffect(() => {
    if (!mayRegister && mode === "register") setMode("signIn");
  }, [mayRegister, mode]);
  const back = () => setSecondStep(null);
  // A fresh install has nobody to sign in: open on registration.
  const firstAccount = info.data?.firstAccount;
  useEffect(() => {
    if (firstAccount) setMode("register");
  }, [firstAccount]);
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
        <div
          className="rounded-2xl border border-line bg-surface p-6 shadow-sm"
          aria-busy={info.isPending}
        >
          {signedOutReason === "expired" && mode === "signIn" && !secondStep ? (
            <div className="mb-4">
              <Alert tone="info">{t("auth.expired")}</Alert>
            </div>
          ) : null}
          {signedOutReason === "disabled" && !secondStep ? (
            <div className="mb-4" data-testid="account-disabled">
              <Alert>{t("auth.disabled")}</Alert>
            </div>
          ) : null}
          {info.data?.firstAccount && !secondStep ? (
            <div className="mb-4">
              <Alert tone="info">{t("auth.firstAccountAdmin")}</Alert>
            </div>
          ) : null}
          {ssoError && !secondStep ? (
            <div className="mb-4">
              <Alert>{t(ssoError)}</Alert>
            </div>
          ) : null}
          {secondStep?.purpose === "code" ? (
            <TwoFactorCodeForm challenge={secondStep.challenge} onBack={back} />
          ) : secondStep?.purpose === "setup" ? (
            <TwoFactorSetupForm challenge={secondStep.challenge} onBack={back} />
          ) : mode === "signIn" ? (
            <SignInForm onSecondStep={setSecondStep} />
          ) : (
            <RegisterForm
              onSecondStep={setSecondStep}
              needsInvite={needsInvite}
              invite={query.invite}
            />
          )}
          {info.data?.sso.enabled && !secondStep ? (
            <SsoButton label={info.data.sso.label} invite={query.invite} />
          ) : null}
        </div>
        {secondStep || !mayRegister ? null : (
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
        )}
      </main>
      <HealthFooter />
    </div>
  );
}

/** Single sign-on is a browser journey to the provider and back, so the web app only: the
 * desktop app keeps its refresh token in the keychain, which that journey cannot reach. */
function SsoButton({ label, invite }: { label: string | null; invite: string | null }) {
  const t = useT();
  const platform = usePlatform();
  if (platform.kind !== "web") return null;
  const href = `${platform.apiBaseUrl}/auth/oidc/start${invite ? `?invite=${encodeURIComponent(invite)}` : ""}`;
  return (
    <div className="mt-4 flex flex-col gap-3">
      <div className="flex items-center gap-3 text-xs text-fg-soft">
        <span className="h-px flex-1 bg-line" />
        {t("sso.or")}
        <span className="h-px flex-1 bg-line" />
      </div>
      <a
        href={href}
        className="inline-flex h-10 items-center justify-center rounded-lg border border-line bg-surface px-4 text-sm font-medium hover:bg-muted"
      >
        {t("sso.signInWith", { provider: label ?? "SSO" })}
      </a>
    </div>
  );
}

function SignInForm({ onSecondStep }: { onSecondStep: (step: SecondStepChallenge) => void }) {
  const t = useT();
  const session = useSession();
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const mutation = trpc.auth.login.useMutation({
    onSuccess: (tokens) => session.completeSignIn(tokens),
    onError: (error) => {
      const step = secondStepOf(error);
      if (step) onSecondStep(step);
    },
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

function RegisterForm({
  onSecondStep,
  needsInvite,
  invite,
}: {
  onSecondStep: (step: SecondStepChallenge) => void;
  needsInvite: boolean;
  invite: string | null;
}) {
  const t = useT();
  const session = useSession();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [inviteCode, setInviteCode] = useState(invite ?? "");
  const mutation = trpc.auth.register.useMutation({
    onSuccess: (tokens) => session.completeSignIn(tokens),
    onError: (error) => {
      const step = secondStepOf(error);
      if (step) onSecondStep(step);
    },
  });
  const errors = fieldErrors(mutation.error, t);
  const submit = () =>
    mutation.mutate({
      username,
      email,
      password,
      ...(inviteCode.trim() ? { inviteCode: inviteCode.trim() } : {}),
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
      {needsInvite || invite ? (
        <TextField
          label={t("auth.inviteCode")}
          name="inviteCode"
          hint={t("auth.inviteHint")}
          value={inviteCode}
          onChange={(e) => setInviteCode(e.target.value)}
          error={errors.fields.inviteCode}
          maxLength={128}
          required={needsInvite}
        />
      ) : null}
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

import type { ComponentProps } from "react";
import { TextField } from "../components/ui";
import { useT } from "../i18n";

type FieldProps = ComponentProps<typeof TextField>;

/**
 * The account fields sign-in, registration and the settings share: one place decides each
 * field's label, input type and autocomplete hint, so password managers and the browser tests
 * (which find fields by label) see the same field everywhere. Callers still pass `name`,
 * `value`, `onChange`, `error` and any `required`/`autoFocus`; anything they pass wins.
 */
export function UsernameField(props: Omit<FieldProps, "label">) {
  const t = useT();
  return (
    <TextField label={t("auth.username")} name="username" autoComplete="username" {...props} />
  );
}

export function EmailField(props: Omit<FieldProps, "label">) {
  const t = useT();
  return (
    <TextField label={t("auth.email")} name="email" type="email" autoComplete="email" {...props} />
  );
}

/**
 * A password input. "current" is the one the person already has; "new" is one being chosen,
 * so it carries the strength hint and lets password managers offer a generated password.
 */
export function PasswordField({
  purpose,
  label,
  ...props
}: Omit<FieldProps, "label"> & { purpose: "current" | "new"; label?: string }) {
  const t = useT();
  return (
    <TextField
      label={label ?? t("auth.password")}
      type="password"
      autoComplete={purpose === "new" ? "new-password" : "current-password"}
      {...(purpose === "new" ? { hint: t("auth.passwordHint") } : {})}
      {...props}
    />
  );
}

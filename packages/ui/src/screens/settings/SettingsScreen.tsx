import { cx } from "../../components/ui";
import { useT, type MessageKey } from "../../i18n";
import { SETTINGS_TABS, useRouter, type SettingsTab } from "../../lib/router";
import { ActivitySettings } from "./ActivitySettings";
import { ApiKeysSettings } from "./ApiKeysSettings";
import { AppearanceSettings } from "./AppearanceSettings";
import { DataSettings } from "./DataSettings";
import { FilesSettings } from "./FilesSettings";
import { PasswordSettings } from "./PasswordSettings";
import { ProfileSettings } from "./ProfileSettings";
import { SecuritySettings } from "./SecuritySettings";
import { SessionsSettings } from "./SessionsSettings";
import { UsageSettings } from "./UsageSettings";

const TAB_LABELS: Record<SettingsTab, MessageKey> = {
  profile: "settings.profile",
  password: "settings.password",
  security: "settings.security",
  sessions: "settings.sessions",
  apiKeys: "settings.apiKeys",
  files: "settings.files",
  usage: "settings.usage",
  activity: "settings.activity",
  appearance: "settings.appearance",
  data: "settings.data",
};

export function SettingsScreen({ tab }: { tab: SettingsTab }) {
  const t = useT();
  const { href, navigate } = useRouter();
  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6">
      <h1 className="text-xl font-semibold">{t("settings.title")}</h1>
      <nav
        aria-label={t("settings.title")}
        className="-mx-1 flex gap-1 overflow-x-auto border-b border-line pb-px"
      >
        {SETTINGS_TABS.map((name) => (
          <a
            key={name}
            href={href({ name: "settings", tab: name })}
            aria-current={name === tab ? "page" : undefined}
            onClick={(event) => {
              event.preventDefault();
              navigate({ name: "settings", tab: name });
            }}
            className={cx(
              "shrink-0 rounded-t-lg border-b-2 px-3 py-2 text-sm",
              name === tab
                ? "border-accent font-medium text-fg"
                : "border-transparent text-fg-soft hover:text-fg",
            )}
          >
            {t(TAB_LABELS[name])}
          </a>
        ))}
      </nav>
      <section aria-label={t(TAB_LABELS[tab])}>
        {tab === "profile" ? <ProfileSettings /> : null}
        {tab === "password" ? <PasswordSettings /> : null}
        {tab === "sessions" ? <SessionsSettings /> : null}
        {tab === "apiKeys" ? <ApiKeysSettings /> : null}
        {tab === "files" ? <FilesSettings /> : null}
        {tab === "usage" ? <UsageSettings /> : null}
        {tab === "security" ? <SecuritySettings /> : null}
        {tab === "activity" ? <ActivitySettings /> : null}
        {tab === "appearance" ? <AppearanceSettings /> : null}
        {tab === "data" ? <DataSettings /> : null}
      </section>
    </div>
  );
}

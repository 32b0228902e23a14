import { useEffect, useRef, useState } from "react";
import { ChevronLeftIcon, ChevronRightIcon } from "../../components/icons";
import { trpc } from "../../api/client";
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
import { ProvidersSettings } from "./ProvidersSettings";
import { SecuritySettings } from "./SecuritySettings";
import { SessionsSettings } from "./SessionsSettings";
import { UsageSettings } from "./UsageSettings";

const TAB_LABELS: Record<SettingsTab, MessageKey> = {
  profile: "settings.profile",
  password: "settings.password",
  security: "settings.security",
  sessions: "settings.sessions",
  apiKeys: "settings.apiKeys",
  providers: "settings.providers",
  files: "settings.files",
  usage: "settings.usage",
  activity: "settings.activity",
  appearance: "settings.appearance",
  data: "settings.data",
};

export function SettingsScreen({ tab }: { tab: SettingsTab }) {
  const t = useT();
  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6">
      {/* On a phone the screen's top bar (AppShell) carries the title beside Back. */}
      <h1 className="hidden text-xl font-semibold md:block">{t("settings.title")}</h1>
      <SettingsTabs tab={tab} />
      <section aria-label={t(TAB_LABELS[tab])}>
        {tab === "profile" ? <ProfileSettings /> : null}
        {tab === "password" ? <PasswordSettings /> : null}
        {tab === "sessions" ? <SessionsSettings /> : null}
        {tab === "apiKeys" ? <ApiKeysSettings /> : null}
        {tab === "providers" ? <ProvidersSettings /> : null}
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

/**
 * The tabs scroll sideways when they do not fit (a phone); a fading edge with an arrow on
 * each side that has more tabs says so, and the current tab is scrolled into view.
 */
function SettingsTabs({ tab }: { tab: SettingsTab }) {
  const t = useT();
  const { href, navigate } = useRouter();
  const me = trpc.auth.me.useQuery();
  // Model providers are the instance's: only admins see their tab.
  const shown = SETTINGS_TABS.filter((name) => name !== "providers" || me.data?.role === "admin");
  const nav = useRef<HTMLElement>(null);
  const [more, setMore] = useState({ before: false, after: false });

  useEffect(() => {
    const el = nav.current;
    if (!el) return;
    const measure = () => {
      const before = el.scrollLeft > 1;
      const after = el.scrollLeft + el.clientWidth < el.scrollWidth - 1;
      setMore((m) => (m.before === before && m.after === after ? m : { before, after }));
    };
    measure();
    el.addEventListener("scroll", measure, { passive: true });
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => {
      el.removeEventListener("scroll", measure);
      observer.disconnect();
    };
  }, []);

  // Again once an admin's extra tab shows up: it moves the tabs after it.
  useEffect(() => {
    nav.current
      ?.querySelector<HTMLElement>('[aria-current="page"]')
      ?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [tab, shown.length]);

  const scrollBy = (direction: 1 | -1) => {
    const el = nav.current;
    if (el) el.scrollBy({ left: direction * el.clientWidth * 0.6, behavior: "smooth" });
  };

  return (
    <div className="relative -mx-1">
      <nav
        ref={nav}
        aria-label={t("settings.title")}
        data-testid="settings-tabs"
        className="flex gap-1 overflow-x-auto border-b border-line pb-px [scrollbar-width:none]"
      >
        {shown.map((name) => (
          <a
            key={name}
            href={href({ name: "settings", tab: name })}
            aria-current={name === tab ? "page" : undefined}
            onClick={(event) => {
              event.preventDefault();
              navigate({ name: "settings", tab: name });
            }}
            className={cx(
              "shrink-0 scroll-mx-10 rounded-t-lg border-b-2 px-3 py-2 text-sm",
              name === tab
                ? "border-accent font-medium text-fg"
                : "border-transparent text-fg-soft hover:text-fg",
            )}
          >
            {t(TAB_LABELS[name])}
          </a>
        ))}
      </nav>
      {more.before ? (
        <ScrollCue side="before" label={t("settings.moreTabs")} onClick={() => scrollBy(-1)} />
      ) : null}
      {more.after ? (
        <ScrollCue side="after" label={t("settings.moreTabs")} onClick={() => scrollBy(1)} />
      ) : null}
    </div>
  );
}

/** The edge of a row that scrolls on: a fade to the page's background and an arrow. The
 * tabs themselves are reachable with Tab, so the cue is for pointers and eyes only. */
function ScrollCue({
  side,
  label,
  onClick,
}: {
  side: "before" | "after";
  label: string;
  onClick(): void;
}) {
  return (
    <button
      type="button"
      tabIndex={-1}
      aria-hidden="true"
      title={label}
      data-testid={`settings-tabs-more-${side}`}
      onClick={onClick}
      className={cx(
        "absolute inset-y-0 flex w-10 items-center text-fg-soft",
        side === "before"
          ? "left-0 justify-start bg-linear-to-r from-bg via-bg/90 to-transparent pl-0.5"
          : "right-0 justify-end bg-linear-to-l from-bg via-bg/90 to-transparent pr-0.5",
      )}
    >
      {side === "before" ? (
        <ChevronLeftIcon width={16} height={16} />
      ) : (
        <ChevronRightIcon width={16} height={16} />
      )}
    </button>
  );
}

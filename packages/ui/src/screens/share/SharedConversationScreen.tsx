import { useEffect } from "react";
import { trpc } from "../../api/client";
import { errorCode, errorText } from "../../api/errors";
import { LogoIcon } from "../../components/icons";
import { Alert, cx, Spinner } from "../../components/ui";
import { useLanguage, useT } from "../../i18n";
import { usePlatform } from "../../lib/platform";
import { useRouter } from "../../lib/router";
import { displayTitle } from "../../lib/titles";
import { LazyMarkdown as Markdown } from "../../markdown/LazyMarkdown";

/** Search engines must not index a shared page, however it was reached. */
function useNoIndex() {
  useEffect(() => {
    let meta = document.querySelector<HTMLMetaElement>('meta[name="robots"]');
    const added = !meta;
    if (!meta) {
      meta = document.createElement("meta");
      meta.name = "robots";
      document.head.append(meta);
    }
    const before = meta.content;
    meta.content = "noindex, nofollow, noarchive";
    return () => {
      if (added) meta.remove();
      else meta.content = before;
    };
  }, []);
}

/** A read-only snapshot of a conversation, for anyone with its link. */
export function SharedConversationScreen({ token }: { token: string }) {
  const t = useT();
  const language = useLanguage();
  const platform = usePlatform();
  const { href, navigate } = useRouter();
  useNoIndex();
  const shared = trpc.share.view.useQuery({ token }, { retry: false, staleTime: 60_000 });
  const title = shared.data ? displayTitle(shared.data.title, t) : null;
  useEffect(() => {
    if (title) document.title = `${title} · Parley`;
  }, [title]);
  const markdownProps = {
    onOpenExternal: platform.openExternal?.bind(platform),
    copyLabel: t("chat.copyCode"),
    copiedLabel: t("chat.copied"),
  };
  const formatDate = (value: Date | string) =>
    new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(
      new Date(value),
    );

  return (
    <div className="flex h-full flex-col overflow-y-auto bg-bg text-fg">
      <header className="sticky top-0 z-10 flex h-14 shrink-0 items-center gap-2 border-b border-line bg-bg px-4">
        <a
          href={href({ name: "chat", conversationId: null })}
          onClick={(e) => {
            e.preventDefault();
            navigate({ name: "chat", conversationId: null });
          }}
          className="flex items-center gap-2 font-semibold"
        >
          <LogoIcon />
          {t("app.name")}
        </a>
        <span className="ml-auto text-sm text-fg-soft">{t("share.readOnly")}</span>
      </header>
      <main id="main" className="mx-auto flex w-full max-w-3xl flex-1 flex-col gap-6 px-4 py-6">
        {shared.isPending ? (
          <Spinner label={t("app.loading")} />
        ) : shared.error ? (
          <div className="flex flex-col gap-3">
            <h1 className="text-xl font-semibold">
              {errorCode(shared.error) === "NOT_FOUND" ? t("share.goneTitle") : t("share.failed")}
            </h1>
            {errorCode(shared.error) === "NOT_FOUND" ? (
              <p className="text-fg-soft">{t("share.gone")}</p>
            ) : (
              <Alert>{errorText(shared.error, t)}</Alert>
            )}
          </div>
        ) : (
          <>
            <div className="flex flex-col gap-1">
              <h1 className="text-xl font-semibold">{title}</h1>
              <p className="text-sm text-fg-soft">
                {t("share.snapshotOf", { date: formatDate(shared.data.createdAt) })}
              </p>
            </div>
            {shared.data.messages.map((message, index) => {
              const isUser = message.role === "user";
              return (
                <article
                  key={index}
                  data-role={message.role}
                  aria-label={isUser ? t("share.user") : t("chat.assistant")}
                  className={cx("flex flex-col gap-1", isUser ? "items-end" : "items-start")}
                >
                  <div
                    className={cx(
                      "max-w-full text-[15px]",
                      isUser
                        ? "rounded-2xl rounded-br-md bg-bubble px-4 py-2.5 sm:max-w-[85%]"
                        : "w-full",
                    )}
                  >
                    <Markdown text={message.content} {...markdownProps} />
                  </div>
                  {!isUser && message.status !== "complete" ? (
                    <p className="text-xs text-fg-soft">{t("share.unfinished")}</p>
                  ) : null}
                </article>
              );
            })}
          </>
        )}
      </main>
    </div>
  );
}

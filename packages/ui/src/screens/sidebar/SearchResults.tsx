import { errorText } from "../../api/errors";
import { trpc } from "../../api/client";
import { Alert, cx } from "../../components/ui";
import { useT } from "../../i18n";
import { Marked } from "../../lib/marked";
import { useRouter } from "../../lib/router";
import { displayTitle } from "../../lib/titles";

/** Ranked search results (chat.conversations.search): the title and the best fragment of
 * the best matching message, matched words marked; archived conversations say so. */
export function SearchResults({ query, activeId }: { query: string; activeId: string | null }) {
  const t = useT();
  const { href, navigate } = useRouter();
  const results = trpc.chat.conversations.search.useQuery({ query }, { staleTime: 5_000 });
  const items = results.data?.items ?? [];

  return (
    <section aria-label={t("sidebar.results")} data-testid="search-results">
      {results.isError ? <Alert>{errorText(results.error, t)}</Alert> : null}
      <h2 className="px-2 pb-1 pt-3 text-xs font-medium uppercase tracking-wide text-fg-soft">
        {t("sidebar.results")}
      </h2>
      <ul>
        {items.map((item) => {
          const untitled = displayTitle(item.title, t) !== item.title;
          return (
            <li key={item.id}>
              <a
                href={href({ name: "chat", conversationId: item.id })}
                aria-current={item.id === activeId ? "page" : undefined}
                data-testid="search-result"
                onClick={(e) => {
                  e.preventDefault();
                  navigate({ name: "chat", conversationId: item.id });
                }}
                className={cx(
                  "block rounded-lg px-2.5 py-2 text-sm",
                  item.id === activeId ? "bg-muted" : "hover:bg-muted",
                )}
              >
                <span className="flex items-center gap-2">
                  <span className="min-w-0 flex-1 truncate font-medium">
                    {untitled ? displayTitle(item.title, t) : <Marked text={item.titleMarked} />}
                  </span>
                  {item.archived ? (
                    <span
                      className="shrink-0 rounded border border-line px-1.5 text-xs text-fg-soft"
                      data-testid="archived-badge"
                    >
                      {t("sidebar.archivedBadge")}
                    </span>
                  ) : null}
                </span>
                {item.snippet ? (
                  <span
                    className="mt-0.5 line-clamp-3 block break-words text-xs text-fg-soft"
                    data-testid="search-snippet"
                  >
                    <Marked text={item.snippet} />
                  </span>
                ) : null}
              </a>
            </li>
          );
        })}
      </ul>
      {results.isSuccess && items.length === 0 ? (
        <p className="px-2 py-4 text-sm text-fg-soft">{t("sidebar.noResults")}</p>
      ) : null}
    </section>
  );
}

/** Highlight markers the server puts around matched words in search titles and snippets
 * (packages/db/src/queries/search.ts MARK_START / MARK_END). */
export const MARK_START = "\u0002";
export const MARK_END = "\u0003";

/** Text with marked words as <mark>: the text is never parsed as HTML, so a snippet of
 * `<img onerror=…>` shows those characters and runs nothing. */
export function Marked({ text }: { text: string }) {
  const parts: React.ReactNode[] = [];
  let rest = text;
  let key = 0;
  while (rest) {
    const start = rest.indexOf(MARK_START);
    if (start < 0) break;
    const end = rest.indexOf(MARK_END, start + 1);
    if (end < 0) break;
    if (start > 0) parts.push(rest.slice(0, start));
    parts.push(
      <mark key={key++} className="rounded-sm bg-mark px-0.5 text-fg">
        {rest.slice(start + 1, end)}
      </mark>,
    );
    rest = rest.slice(end + 1);
  }
  if (rest) parts.push(rest.replaceAll(MARK_START, "").replaceAll(MARK_END, ""));
  return <>{parts}</>;
}

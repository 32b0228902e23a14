import { lazy, Suspense } from "react";
import type { MarkdownProps } from "./Markdown";

// The renderer brings highlight.js and KaTeX (most of the bundle); the sign-in screen and
// first paint do not need them.
const Markdown = lazy(() => import("./Markdown").then((m) => ({ default: m.Markdown })));

/** Markdown, loaded on first use; until then the text shows as plain text (never as HTML). */
export function LazyMarkdown(props: MarkdownProps) {
  return (
    <Suspense fallback={<div className="markdown whitespace-pre-wrap">{props.text}</div>}>
      <Markdown {...props} />
    </Suspense>
  );
}

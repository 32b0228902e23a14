import { memo, useState, type ComponentProps, type JSX, type ReactNode } from "react";
import ReactMarkdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import rehypeKatex from "rehype-katex";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import remarkMath from "remark-math";
import { remarkHtmlAsText, safeUrl, sanitizeSchema } from "./plugins";

export interface MarkdownProps {
  text: string;
  /** Opens a link outside the app (desktop: the system browser). */
  onOpenExternal?: (url: string) => void;
  copyLabel?: string;
  copiedLabel?: string;
}

/**
 * Renders model and user text. Order matters: sanitize the tree built from the text first,
 * then let KaTeX and highlight.js add their (trusted) markup.
 */
export const Markdown = memo(function Markdown({ text, onOpenExternal, copyLabel, copiedLabel }: MarkdownProps) {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkHtmlAsText, remarkGfm, remarkMath]}
        rehypePlugins={[[rehypeSanitize, sanitizeSchema], [rehypeKatex, { throwOnError: false, trust: false, strict: "ignore" }], [rehypeHighlight, { detect: false }]]}
        urlTransform={safeUrl}
        components={{
          a: ({ href, children }) => <SafeLink href={href} onOpenExternal={onOpenExternal}>{children}</SafeLink>,
          // Remote images would leak the reader's address to whoever wrote the link; show a link.
          img: ({ src, alt }) =>
            typeof src === "string" && src ? (
              <SafeLink href={src} onOpenExternal={onOpenExternal}>{alt || src}</SafeLink>
            ) : (
              <span>{alt}</span>
            ),
          pre: (props) => <CodeBlock {...props} copyLabel={copyLabel ?? "Copy code"} copiedLabel={copiedLabel ?? "Copied"} />,
          table: ({ children }) => (
            <div className="table-wrap">
              <table>{children}</table>
            </div>
          ),
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
});

function SafeLink({ href, children, onOpenExternal }: { href?: string; children?: ReactNode; onOpenExternal?: (url: string) => void }): JSX.Element {
  const url = href ? safeUrl(href) : "";
  if (!url) return <span className="inert-link">{children}</span>;
  return (
    <a
      href={url}
      target="_blank"
      rel="noopener noreferrer nofollow"
      onClick={(event) => {
        if (onOpenExternal && /^https?:/i.test(url)) {
          event.preventDefault();
          onOpenExternal(url);
        }
      }}
    >
      {children}
    </a>
  );
}

function CodeBlock({ children, node: _node, copyLabel, copiedLabel, ...rest }: ComponentProps<"pre"> & { node?: unknown; copyLabel: string; copiedLabel: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="code-block">
      <button
        type="button"
        className="code-copy"
        onClick={(event) => {
          const pre = (event.currentTarget.parentElement?.querySelector("pre") ?? null) as HTMLElement | null;
          void navigator.clipboard?.writeText(pre?.innerText ?? "").then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
      >
        {copied ? copiedLabel : copyLabel}
      </button>
      <pre {...rest}>{children}</pre>
    </div>
  );
}

import katex from "katex";
import {
  Children,
  isValidElement,
  memo,
  useLayoutEffect,
  useRef,
  useState,
  type ComponentProps,
  type JSX,
  type ReactNode,
} from "react";
import ReactMarkdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
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
 * Renders model and user text. The tree built from the text is sanitized first; then
 * highlight.js adds its (trusted) spans, and math is drawn by KaTeX straight into the DOM
 * (see TexMath).
 */
export const Markdown = memo(function Markdown({
  text,
  onOpenExternal,
  copyLabel,
  copiedLabel,
}: MarkdownProps) {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkHtmlAsText, remarkGfm, remarkMath]}
        rehypePlugins={[
          [rehypeSanitize, sanitizeSchema],
          [rehypeHighlight, { detect: false, plainText: ["math"] }],
        ]}
        urlTransform={safeUrl}
        components={{
          a: ({ href, id, children }) => (
            <SafeLink href={href} id={id} onOpenExternal={onOpenExternal}>
              {children}
            </SafeLink>
          ),
          // Remote images would leak the reader's address to whoever wrote the link; show a link.
          img: ({ src, alt }) =>
            typeof src === "string" && src ? (
              <SafeLink href={src} onOpenExternal={onOpenExternal}>
                {alt || src}
              </SafeLink>
            ) : (
              <span>{alt}</span>
            ),
          code: ({ className, children, node: _node, ...rest }) =>
            isMath(className) ? (
              <TexMath
                tex={String(children)}
                display={className?.includes("math-display") ?? false}
              />
            ) : (
              <code className={className} {...rest}>
                {children}
              </code>
            ),
          pre: (props) => {
            // Display math arrives as <pre><code class="language-math math-display">.
            const only = Children.toArray(props.children)[0];
            if (isValidElement<{ className?: string }>(only) && isMath(only.props.className))
              return <div className="math-block">{props.children}</div>;
            return (
              <CodeBlock
                {...props}
                copyLabel={copyLabel ?? "Copy code"}
                copiedLabel={copiedLabel ?? "Copied"}
              />
            );
          },
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

function SafeLink({
  href,
  id,
  children,
  onOpenExternal,
}: {
  href?: string;
  id?: string;
  children?: ReactNode;
  onOpenExternal?: (url: string) => void;
}): JSX.Element {
  const url = href ? safeUrl(href) : "";
  if (!url) return <span className="inert-link">{children}</span>;
  if (url.startsWith("#")) {
    // A footnote or another place in the same reply: scroll there, in this tab, without
    // touching the app's address. Looked up inside this reply, since every reply numbers
    // its footnotes from 1.
    return (
      <a
        href={url}
        id={id}
        onClick={(event) => {
          const wanted = CSS.escape(decodeURIComponent(url.slice(1)));
          const target = event.currentTarget.closest(".markdown")?.querySelector(`#${wanted}`);
          if (!target) return;
          event.preventDefault();
          target.scrollIntoView({ block: "center" });
        }}
      >
        {children}
      </a>
    );
  }
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

function CodeBlock({
  children,
  node: _node,
  copyLabel,
  copiedLabel,
  ...rest
}: ComponentProps<"pre"> & { node?: unknown; copyLabel: string; copiedLabel: string }) {
  const [copied, setCopied] = useState(false);
  const language = languageOf(children);
  return (
    <div className="code-block">
      {language ? <span className="code-lang">{language}</span> : null}
      <button
        type="button"
        className="code-copy"
        onClick={(event) => {
          const pre = (event.currentTarget.parentElement?.querySelector("pre") ??
            null) as HTMLElement | null;
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

/** The fence's language (```ts → "ts"), from the class remark gives the code element. */
function languageOf(children: ReactNode): string | null {
  const only = Children.toArray(children)[0];
  if (!isValidElement<{ className?: string }>(only)) return null;
  const match = /(?:^|\s)language-([\w+#.-]+)/.exec(only.props.className ?? "");
  return match?.[1] ?? null;
}

const isMath = (className: string | undefined) =>
  Boolean(className?.split(" ").includes("language-math"));

/**
 * KaTeX draws into the element with DOM calls (its styles set through the CSSOM), not by
 * parsing an HTML string: the strict CSP forbids style attributes in parsed HTML, which is
 * how rehype-katex would have carried KaTeX's layout. `trust: false` keeps \href, \url
 * and \html* commands inert. React renders no children here, so KaTeX owns the contents.
 */
function TexMath({ tex, display }: { tex: string; display: boolean }) {
  const ref = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    if (!ref.current) return;
    katex.render(tex, ref.current, {
      displayMode: display,
      throwOnError: false,
      trust: false,
      strict: "ignore",
      maxSize: 50,
      maxExpand: 1000,
    });
  }, [tex, display]);
  return <span ref={ref} className={display ? "math-display" : "math-inline"} data-tex={tex} />;
}

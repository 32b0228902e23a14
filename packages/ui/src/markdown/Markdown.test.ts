import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./Markdown";
import type { Root } from "hast";
import { sanitize } from "hast-util-sanitize";
import { safeUrl, sanitizeSchema } from "./plugins";
import { FORBIDDEN_ELEMENTS, XSS_CORPUS } from "./xss-corpus";

const render = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

describe("the Markdown renderer", () => {
  it.each(XSS_CORPUS)("renders %j inert", (payload) => {
    const html = render(payload);
    for (const tag of FORBIDDEN_ELEMENTS)
      expect(html).not.toMatch(new RegExp(`<${tag}[\\s>/]`, "i"));
    // Inside real tags only: escaped text may of course say "onerror=".
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/<[a-z][^>]*(href|src|action|data)="\s*(javascript|vbscript|data):/i);
  });

  it("shows raw HTML as the text it is instead of dropping it", () => {
    expect(render("a <b>bold</b> claim")).toContain("a &lt;b&gt;bold&lt;/b&gt; claim");
  });

  it("keeps what people expect: emphasis, tables, code with highlighting, math, safe links", () => {
    const html = render(
      "**bold** | a | b |\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nconst x = 1;\n```\n\n$x^2$\n\n[site](https://example.com)",
    );
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<table>");
    expect(html).toContain('class="hljs language-js"');
    expect(html).toContain('<span class="math-inline" data-tex="x^2"></span>');
    expect(html).toContain('href="https://example.com"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });

  it("labels a fenced code block with its language, and an unlabelled fence with none", () => {
    expect(render("```python\nprint(1)\n```")).toContain('<span class="code-lang">python</span>');
    expect(render("```\nplain\n```")).not.toContain("code-lang");
  });

  it("turns images into links so a reply cannot make the reader's browser fetch anything", () => {
    expect(render("![cat](https://example.com/cat.png)")).toBe(
      '<div class="markdown"><p><a href="https://example.com/cat.png" target="_blank" rel="noopener noreferrer nofollow">cat</a></p></div>',
    );
  });
});

describe("footnotes and same-page links", () => {
  const html = render("Claim[^1] and [back to the top](#intro)\n\n[^1]: The source.");

  it("link each reference to its note and back, with ids that exist", () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    const anchors = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(anchors).toEqual(["user-content-fn-1", "intro", "user-content-fnref-1"]);
    for (const footnoteAnchor of anchors.filter((a) => a !== "intro"))
      expect(ids).toContain(footnoteAnchor);
  });

  it("stay in this tab", () => {
    for (const link of html.match(/<a href="#[^>]*>/g) ?? []) expect(link).not.toContain("target");
    expect(html.match(/<a href="#/g)).toHaveLength(3);
  });
});

// The renderer has three layers (raw HTML shown as text, the sanitizer, the URL filter);
// each one alone must hold, so that a change to one is caught even when the others mask it.
describe("the sanitizer on its own", () => {
  const element = (tagName: string, properties: Record<string, unknown>, text = "x") => ({
    type: "element" as const,
    tagName,
    properties,
    children: [{ type: "text" as const, value: text }],
  });
  const clean = (...children: ReturnType<typeof element>[]) =>
    JSON.stringify(sanitize({ type: "root", children } as Root, sanitizeSchema));

  it("drops scripts, styles, frames and forms with their code", () => {
    const out = clean(
      element("script", {}, "alert(1)"),
      element("style", {}, "body{display:none}"),
      element("iframe", { src: "https://evil.example" }),
      element("form", { action: "https://evil.example" }),
    );
    expect(out).not.toMatch(/"tagName":"(script|style|iframe|form)"/);
    expect(out).not.toContain("alert(1)");
    expect(out).not.toContain("evil.example");
  });

  it("drops event handlers, inline styles and dangerous link schemes", () => {
    const out = clean(
      element("a", { href: "javascript:alert(1)", onClick: "alert(2)", style: "color:red" }),
      element("img", { src: "data:text/html,x", onError: "alert(3)" }),
      element("a", { href: "vbscript:x" }),
    );
    expect(out).not.toMatch(/javascript|vbscript|data:|alert|onClick|onError|style/i);
  });

  it("keeps what Markdown needs: safe links, code language classes and math markers", () => {
    const out = clean(
      element("a", { href: "https://example.com/a" }),
      element("code", { className: ["language-ts"] }),
      element("code", { className: ["language-math", "math-inline"] }),
      element("code", { className: ["evil-class"] }),
    );
    expect(out).toContain('"href":"https://example.com/a"');
    expect(out).toContain('"className":["language-ts"]');
    expect(out).toContain('"className":["language-math","math-inline"]');
    expect(out).not.toContain("evil-class");
  });
});

describe("safeUrl", () => {
  it.each([
    ["https://example.com/a?b#c", "https://example.com/a?b#c"],
    ["mailto:a@example.com", "mailto:a@example.com"],
    ["/relative/path", "/relative/path"],
    ["#anchor", "#anchor"],
    ["javascript:alert(1)", ""],
    ["JAVASCRIPT:alert(1)", ""],
    ["  javascript:alert(1)", ""],
    ["data:text/html,x", ""],
    ["vbscript:x", ""],
    ["page?next=javascript:x", "page?next=javascript:x"],
  ])("%j → %j", (input, output) => {
    expect(safeUrl(input)).toBe(output);
  });
});

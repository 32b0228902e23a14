import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./Markdown";
import { safeUrl } from "./plugins";
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

  it("turns images into links so a reply cannot make the reader's browser fetch anything", () => {
    expect(render("![cat](https://example.com/cat.png)")).toBe(
      '<div class="markdown"><p><a href="https://example.com/cat.png" target="_blank" rel="noopener noreferrer nofollow">cat</a></p></div>',
    );
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

/**
 * Hostile inputs for the Markdown renderer. Each one, if it ever ran, would call
 * `alert()` or `__parleyXss()`; the browser test fails on either, and also checks that no
 * dangerous element or attribute reached the DOM.
 */
export const XSS_CORPUS: string[] = [
  `<script>__parleyXss()</script>`,
  `<img src=x onerror="__parleyXss()">`,
  `<svg onload="__parleyXss()"><circle r="10"/></svg>`,
  `<svg><script>__parleyXss()</script></svg>`,
  `<iframe src="javascript:__parleyXss()"></iframe>`,
  `<a href="javascript:__parleyXss()">click me</a>`,
  `[markdown link](javascript:__parleyXss())`,
  `[spaced scheme]( javascript:__parleyXss() )`,
  `[mixed case](JaVaScRiPt:__parleyXss())`,
  `[encoded](&#106;avascript:__parleyXss())`,
  `[tab in scheme](java\tscript:__parleyXss())`,
  `[data url](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
  `[vbscript](vbscript:msgbox(1))`,
  `![image](javascript:__parleyXss())`,
  `![onerror](x" onerror="__parleyXss())`,
  `<details open ontoggle="__parleyXss()"><summary>x</summary></details>`,
  `<body onload="__parleyXss()">`,
  `<math><mtext><table><mglyph><style><img src=x onerror="__parleyXss()"></style></mglyph></table></mtext></math>`,
  `<form action="javascript:__parleyXss()"><button>go</button></form>`,
  `<object data="javascript:__parleyXss()"></object>`,
  `<embed src="javascript:__parleyXss()">`,
  `<style>@import 'javascript:__parleyXss()';</style>`,
  `<div style="background:url(javascript:__parleyXss())">styled</div>`,
  `<input autofocus onfocus="__parleyXss()">`,
  `<meta http-equiv="refresh" content="0;url=javascript:__parleyXss()">`,
  `<base href="javascript:__parleyXss()//">`,
  "```html\n<script>__parleyXss()</script>\n```",
  "`<img src=x onerror=__parleyXss()>`",
  `$\\href{javascript:__parleyXss()}{click}$`,
  `$$\\htmlClass{x}{\\text{y}} \\url{javascript:__parleyXss()}$$`,
  `| a | b |\n|---|---|\n| <img src=x onerror=__parleyXss()> | [x](javascript:__parleyXss()) |`,
  `<a href="https://example.com" onclick="__parleyXss()">looks fine</a>`,
  `<<script>script>__parleyXss()<</script>/script>`,
  `<scr<script>ipt>__parleyXss()</scr</script>ipt>`,
  `"><img src=x onerror=__parleyXss()>`,
  `<noscript><p title="</noscript><img src=x onerror=__parleyXss()>">`,
  `<template><img src=x onerror=__parleyXss()></template>`,
  `<link rel="import" href="data:text/html,<script>__parleyXss()</script>">`,
];

/** Elements that must never come out of the renderer. */
export const FORBIDDEN_ELEMENTS = ["script", "iframe", "object", "embed", "style", "form", "input", "meta", "base", "link", "svg", "img", "details", "template", "body", "noscript"];

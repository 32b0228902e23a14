import type { Options as Schema } from "rehype-sanitize";
import { defaultSchema } from "rehype-sanitize";

/**
 * Raw HTML typed by a person or produced by a model is shown as the text it is, never
 * parsed: remark keeps it as `html` nodes, and this turns them into plain text nodes.
 */
export function remarkHtmlAsText() {
  return (tree: MdastNode) => {
    visit(tree);
  };
}

interface MdastNode {
  type: string;
  value?: string;
  children?: MdastNode[];
}

function visit(node: MdastNode) {
  if (node.type === "html") node.type = "text";
  for (const child of node.children ?? []) visit(child);
}

/**
 * GitHub's sanitize schema, plus the classes remark-math puts on math code (rehype-katex runs
 * after sanitizing and looks for them). Everything else (scripts, handlers, iframes, SVG,
 * styles) is removed; URLs keep only http(s), mailto and in-page anchors.
 */
export const sanitizeSchema: Schema = {
  ...defaultSchema,
  // The only ids in a reply are footnotes', which remark-rehype already prefixes with
  // "user-content-" (raw HTML is never parsed); prefixing again broke every footnote link.
  clobberPrefix: "",
  attributes: {
    ...defaultSchema.attributes,
    code: [["className", /^language-./, "math-inline", "math-display"]],
  },
  protocols: { ...defaultSchema.protocols, href: ["http", "https", "mailto"] },
};

const SAFE_PROTOCOL = /^(https?|mailto):/i;

/** react-markdown's urlTransform: anything that is not http(s)/mailto/relative becomes inert. */
export function safeUrl(url: string): string {
  const trimmed = url.trim();
  const colon = trimmed.indexOf(":");
  const slash = trimmed.search(/[/?#]/);
  // No scheme before the first path character: a relative link or an anchor.
  if (colon === -1 || (slash !== -1 && colon > slash)) return trimmed;
  return SAFE_PROTOCOL.test(trimmed) ? trimmed : "";
}

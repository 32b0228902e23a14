import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// A clone must explain itself: every document the README, docs/ and the deployment files
// point at exists, so a reader never follows a link into nothing.
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const markdownFiles = [
  "README.md",
  ...readdirSync(path.join(repo, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** Relative link targets of a Markdown file, anchors and queries dropped. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(path.join(repo, file), "utf8");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith("#"))
    .map((target) => target.split("#")[0]!.split("?")[0]!);
}

describe("the repository's documents", () => {
  it.each(markdownFiles)("%s links only to files that exist", (file) => {
    const missing = relativeLinks(file).filter(
      (target) => !existsSync(path.resolve(repo, path.dirname(file), target)),
    );
    expect(missing).toEqual([]);
  });

  it("every docs/*.md that a deployment file names exists", () => {
    const named = ["docker-compose.yml", "Dockerfile", ".github/workflows/ci.yml"].flatMap((file) =>
      [...readFileSync(path.join(repo, file), "utf8").matchAll(/docs\/[\w.-]+\.md/g)].map(
        (m) => m[0],
      ),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((doc) => !existsSync(path.join(repo, doc)))).toEqual([]);
  });
});

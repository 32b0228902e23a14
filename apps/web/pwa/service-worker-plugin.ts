import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory()
      ? listFiles(full, `${prefix}${name}/`)
      : [`${prefix}${name}`];
  });
}

/**
 * Emits /sw.js with the exact list of files of this build to precache, and a cache name
 * derived from them, so a new deploy replaces the old shell in one step.
 */
export function serviceWorkerPlugin(options: { publicDir: string }): Plugin {
  return {
    name: "parley-service-worker",
    apply: "build",
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle).filter((file) => !file.endsWith(".map"));
      const publicFiles = listFiles(options.publicDir).filter((file) => file !== "sw.js");
      const files = [...new Set(["index.html", ...built, ...publicFiles])]
        // Browsers that run service workers read woff2; KaTeX's .woff/.ttf fallbacks would
        // only double the download.
        .filter((file) => !/\.(ttf|woff)$/.test(file))
        .sort()
        .map((file) => `/${file}`);
      const version = createHash("sha256").update(files.join("\n")).digest("hex").slice(0, 12);
      const source = readFileSync(path.join(here, "sw-template.js"), "utf8")
        .replace("__CACHE_NAME__", `parley-shell-${version}`)
        .replace("__PRECACHE__", JSON.stringify(files, null, 2));
      this.emitFile({ type: "asset", fileName: "sw.js", source });
    },
  };
}

// One lint setup for the monorepo. The import rules encode DESIGN.md §1: imports flow one
// way (apps -> packages); ui never imports api or db at runtime; db imports nothing of ours.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const appPackages = ["@parley/server", "@parley/web", "@parley/desktop"];
const noApps = appPackages.map((name) => ({ name, message: "packages never import apps" }));
const typeOnlyApi = {
  name: "@parley/api",
  allowTypeImports: true,
  message: "only `import type { AppRouter }` from @parley/api here",
};
const noDb = { name: "@parley/db", message: "the database stays on the server" };

const restrict = (files, paths, patterns = []) => ({
  files,
  rules: { "@typescript-eslint/no-restricted-imports": ["error", { paths, patterns }] },
});

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/out/**",
      "**/generated/**",
      ".data/**",
      "bench/results/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      // TypeScript checks names itself; for the few .js/.mjs files (service worker, scripts)
      // the environments differ too much for one globals list.
      "no-undef": "off",
    },
  },
  restrict(
    ["packages/db/src/**"],
    [],
    [{ group: ["@parley/*"], message: "db imports nothing of ours" }],
  ),
  restrict(["packages/api/src/**", "packages/client/src/**", "packages/testing/src/**"], noApps),
  restrict(["packages/client/src/**"], [typeOnlyApi, noDb]),
  restrict(
    ["packages/ui/src/**", "apps/web/src/**", "apps/desktop/src/**"],
    [typeOnlyApi, noDb, ...noApps],
  ),
);

// One lint setup for the monorepo. The import rules encode docs/architecture.md §1: imports flow one
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
      "**/.tsbuild/**",
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
  // Type-aware rules: a promise nobody awaits or handles loses its error, and an async
  // function handed to a callback that ignores its result (an event handler, forEach) does too.
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.ts"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  // Configuration is read, and validated, in each program's env.ts, nowhere else.
  {
    files: ["apps/*/src/**/*.{ts,tsx}", "packages/*/src/**/*.{ts,tsx}"],
    ignores: ["**/env.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "read configuration in env.ts" },
      ],
    },
  },
  // Another package is reached by its name and its exports, never by a path into its files.
  {
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+(apps|packages|tooling)/",
              message: "import the package by name (add an export to its package.json)",
            },
            {
              regex: "^(\\.\\./){2,}(api|web|desktop|db|client|ui|testing|model-fixture)/src/",
              message: "import the package by name (add an export to its package.json)",
            },
          ],
        },
      ],
    },
  },
  restrict(
    ["packages/db/src/**"],
    [],
    [{ group: ["@parley/*"], message: "db imports nothing of ours" }],
  ),
  restrict(["packages/api/src/**", "packages/client/src/**", "packages/testing/src/**"], noApps),
  // Inside the domain, features share code only through core/ and infra/, which never
  // reach back into a feature: each feature can change without reading the others.
  restrict(["packages/api/src/features/**"], noApps, [
    {
      regex: "^\\.\\./(?!\\.\\./)",
      message: "features do not import each other; move what both need into core/ or infra/",
    },
    {
      regex: "/features/",
      message: "features do not import each other; move what both need into core/ or infra/",
    },
  ]),
  restrict(["packages/api/src/core/**", "packages/api/src/infra/**"], noApps, [
    // The deps type (core/context.ts) names what each feature is handed: types only.
    {
      regex: "(^|/)features/",
      allowTypeImports: true,
      message: "core/ and infra/ never import a feature at runtime",
    },
  ]),
  restrict(["packages/client/src/**"], [typeOnlyApi, noDb]),
  restrict(
    ["packages/ui/src/**", "apps/web/src/**", "apps/desktop/src/**"],
    [typeOnlyApi, noDb, ...noApps],
  ),
);

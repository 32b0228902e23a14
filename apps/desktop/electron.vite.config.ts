import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "electron-vite";

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  main: {
    build: {
      rolldownOptions: { input: { index: here("src/main/index.ts") } },
    },
  },
  preload: {
    build: {
      // Sandboxed preloads cannot be ES modules: one self-contained CommonJS file.
      rolldownOptions: {
        input: { index: here("src/preload/index.ts") },
        output: { format: "cjs", entryFileNames: "[name].cjs" },
      },
    },
  },
  renderer: {
    root: here("src/renderer"),
    plugins: [react(), tailwindcss()],
    build: {
      rolldownOptions: { input: { index: here("src/renderer/index.html") } },
    },
  },
});

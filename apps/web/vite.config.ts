import path from "node:path";
import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { serviceWorkerPlugin } from "./pwa/service-worker-plugin";

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  plugins: [react(), tailwindcss(), serviceWorkerPlugin({ publicDir: path.join(here, "public") })],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // KaTeX fonts stay files (the CSP allows fonts from 'self', not data: URLs in CSS).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev`: the API runs separately on :3000 (PORT=3000 npm start -w @parley/server).
    proxy: {
      "/trpc": {
        target: process.env.PARLEY_API_URL ?? "http://localhost:3000",
        changeOrigin: false,
      },
    },
  },
});

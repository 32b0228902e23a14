import "@parley/ui/styles.css";
import { ParleyApp, type PlatformBridge } from "@parley/ui";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { registerServiceWorker } from "./service-worker-registration";

// Same origin: the API serves this app, and the refresh token travels in an HttpOnly cookie.
const platform: PlatformBridge = { kind: "web", apiBaseUrl: "" };

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <ParleyApp platform={platform} />
  </StrictMode>,
);

if (import.meta.env.PROD) registerServiceWorker();

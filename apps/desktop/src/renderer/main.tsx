import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "./desktop.css";
import { desktopBridge } from "./bridge";
import { DesktopApp } from "./DesktopApp";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <DesktopApp desktop={desktopBridge()} />
  </StrictMode>,
);

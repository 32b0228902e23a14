import { createContext, useContext } from "react";
import type { PlatformBridge } from "../platform";

export const PlatformContext = createContext<PlatformBridge>({ kind: "web", apiBaseUrl: "" });

export function usePlatform(): PlatformBridge {
  return useContext(PlatformContext);
}

import { createContext, useContext } from "react";
import type { SessionManager } from "../api/session";

export const SessionContext = createContext<SessionManager | null>(null);

export function useSession(): SessionManager {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside ParleyApp");
  return session;
}

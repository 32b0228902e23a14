import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";

/** The screens the app can show, parsed from the address. */
export type Route =
  | { name: "chat"; conversationId: string | null }
  | { name: "settings"; tab: SettingsTab }
  | { name: "admin" }
  /** A shared snapshot, readable without an account. */
  | { name: "share"; token: string };

export const SETTINGS_TABS = [
  "profile",
  "password",
  "security",
  "sessions",
  "apiKeys",
  /** Admins only (the tab is hidden from others). */
  "providers",
  "files",
  "usage",
  "activity",
  "appearance",
  "data",
] as const;
export type SettingsTab = (typeof SETTINGS_TABS)[number];

export function parseRoute(path: string): Route {
  const parts = path.split(/[?#]/)[0]!.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "c" && parts[1]) return { name: "chat", conversationId: parts[1] };
  if (parts[0] === "settings") {
    const tab = SETTINGS_TABS.find((t) => t === parts[1]) ?? "profile";
    return { name: "settings", tab };
  }
  if (parts[0] === "admin") return { name: "admin" };
  if (parts[0] === "s" && parts[1]) return { name: "share", token: parts[1] };
  return { name: "chat", conversationId: null };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case "chat":
      return route.conversationId ? `/c/${encodeURIComponent(route.conversationId)}` : "/";
    case "settings":
      return `/settings/${route.tab}`;
    case "admin":
      return "/admin";
    case "share":
      return `/s/${encodeURIComponent(route.token)}`;
  }
}

interface RouterValue {
  route: Route;
  navigate(route: Route, options?: { replace?: boolean }): void;
  href(route: Route): string;
}

const RouterContext = createContext<RouterValue | null>(null);

/**
 * A small router: "path" mode uses the History API (the server answers every path with the
 * app shell); "hash" mode keeps the path after "#" for hosts without such a fallback.
 */
export function RouterProvider({ mode, children }: { mode: "path" | "hash"; children: ReactNode }) {
  const read = useCallback(
    () =>
      mode === "hash" ? window.location.hash.replace(/^#/, "") || "/" : window.location.pathname,
    [mode],
  );
  const [path, setPath] = useState(read);

  useEffect(() => {
    const onChange = () => setPath(read());
    window.addEventListener(mode === "hash" ? "hashchange" : "popstate", onChange);
    return () => window.removeEventListener(mode === "hash" ? "hashchange" : "popstate", onChange);
  }, [mode, read]);

  const value = useMemo<RouterValue>(() => {
    const href = (route: Route) => (mode === "hash" ? `#${routePath(route)}` : routePath(route));
    return {
      route: parseRoute(path),
      href,
      navigate(route, options) {
        const next = routePath(route);
        if (next === path) return;
        if (options?.replace) window.history.replaceState(null, "", href(route));
        else window.history.pushState(null, "", href(route));
        setPath(next);
      },
    };
  }, [mode, path]);

  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (!value) throw new Error("useRouter outside RouterProvider");
  return value;
}

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState, type JSX } from "react";
import { Provider as ReduxProvider } from "react-redux";
import { createAuthClient, createLinks, trpc } from "../api/client";
import { ConnectionMonitor, probeHealth } from "../api/connection";
import { shouldRetryQuery } from "../api/errors";
import { SessionManager } from "../api/session";
import { shareConversationChanges } from "../lib/crossTab";
import { PlatformContext } from "../lib/platform";
import { RouterProvider, useRouter } from "../lib/router";
import { SessionContext } from "../lib/session";
import { isUnencryptedConnection } from "../lib/transport";
import { useApplyTheme } from "../lib/theme";
import type { PlatformBridge } from "../platform";
import { createStore, useAppSelector } from "../store";
import { AuthScreen } from "../screens/AuthScreen";
import { AppShell } from "../screens/AppShell";
import { SharedConversationScreen } from "../screens/share/SharedConversationScreen";
import { ConnectionBanner } from "../screens/ConnectionBanner";
import { InsecureConnectionBanner } from "../screens/InsecureConnectionBanner";
import { useT } from "../i18n";

function createAppServices(platform: PlatformBridge) {
  const store = createStore();
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetryQuery, refetchOnWindowFocus: false, staleTime: 10_000 },
      mutations: { retry: false },
    },
  });
  const getAccessToken = () => store.getState().auth.accessToken;
  // The session manager needs the monitor's client, and the monitor tells the session.
  const late: { session?: SessionManager } = {};
  const monitor = new ConnectionMonitor({
    dispatch: store.dispatch,
    getStatus: () => store.getState().connection.status,
    probe: probeHealth(platform.apiBaseUrl),
    isDeviceOnline: () => globalThis.navigator?.onLine ?? true,
    onRestored: () => {
      // Refill every screen that failed or went stale while the server was away.
      void queryClient.invalidateQueries();
      late.session?.connectionRestored();
    },
  });
  const authClient = createAuthClient(platform.apiBaseUrl, getAccessToken, monitor);
  const session = (late.session = new SessionManager({
    store,
    platform,
    authClient,
    queryClient,
  }));
  const links = createLinks({
    apiBaseUrl: platform.apiBaseUrl,
    getAccessToken,
    refresher: session,
    monitor,
  });
  const trpcClient = trpc.createClient({ links });
  return { store, queryClient, session, trpcClient, monitor };
}

/** The whole application; the host only supplies the platform bridge. */
export function ParleyApp(props: { platform: PlatformBridge }): JSX.Element {
  const [services] = useState(() => createAppServices(props.platform));
  useEffect(() => services.monitor.listen(window), [services.monitor]);
  useEffect(() => shareConversationChanges(services.queryClient), [services.queryClient]);
  const routing = props.platform.routing ?? (props.platform.kind === "desktop" ? "hash" : "path");
  return (
    <PlatformContext.Provider value={props.platform}>
      <ReduxProvider store={services.store}>
        <trpc.Provider client={services.trpcClient} queryClient={services.queryClient}>
          <QueryClientProvider client={services.queryClient}>
            <SessionContext.Provider value={services.session}>
              <RouterProvider mode={routing}>
                <Root session={services.session} platform={props.platform} />
              </RouterProvider>
            </SessionContext.Provider>
          </QueryClientProvider>
        </trpc.Provider>
      </ReduxProvider>
    </PlatformContext.Provider>
  );
}

/** The server's address: the page's own origin on the web, the configured one on desktop. */
function serverUrl(platform: PlatformBridge): string {
  if (platform.apiBaseUrl) return platform.apiBaseUrl;
  return typeof window === "undefined" ? "" : window.location.href;
}

function Root({ session, platform }: { session: SessionManager; platform: PlatformBridge }) {
  useApplyTheme();
  const status = useAppSelector((s) => s.auth.status);
  const down = useAppSelector(
    (s) => s.connection.status === "offline" || s.connection.status === "reconnecting",
  );
  const t = useT();
  const { route } = useRouter();
  const [unencrypted] = useState(() => isUnencryptedConnection(serverUrl(platform)));
  useEffect(() => {
    void session.restore();
  }, [session]);
  return (
    <div className="flex h-full flex-col">
      {unencrypted ? <InsecureConnectionBanner /> : null}
      <ConnectionBanner />
      <div className="min-h-0 flex-1">
        {route.name === "share" ? (
          // Anyone with the link reads it, signed in or not.
          <SharedConversationScreen token={route.token} />
        ) : status === "restoring" ? (
          <div className="flex h-full items-center justify-center text-fg-soft" role="status">
            {down ? t("app.waitingForServer") : t("app.loading")}
          </div>
        ) : status === "signedIn" ? (
          <AppShell />
        ) : (
          <AuthScreen />
        )}
      </div>
    </div>
  );
}

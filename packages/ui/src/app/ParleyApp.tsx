import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState, type JSX } from "react";
import { Provider as ReduxProvider } from "react-redux";
import { createAuthClient, createLinks, trpc } from "../api/client";
import { shouldRetryQuery } from "../api/errors";
import { SessionManager } from "../api/session";
import { PlatformContext } from "../lib/platform";
import { RouterProvider } from "../lib/router";
import { SessionContext } from "../lib/session";
import { useApplyTheme } from "../lib/theme";
import type { PlatformBridge } from "../platform";
import { createStore, useAppSelector } from "../store";
import { AuthScreen } from "../screens/AuthScreen";
import { AppShell } from "../screens/AppShell";
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
  const authClient = createAuthClient(platform.apiBaseUrl, getAccessToken);
  const session = new SessionManager({ store, platform, authClient, queryClient });
  const links = createLinks({
    apiBaseUrl: platform.apiBaseUrl,
    getAccessToken,
    refresher: session,
  });
  const trpcClient = trpc.createClient({ links });
  return { store, queryClient, session, trpcClient };
}

/** The whole application; the host only supplies the platform bridge. */
export function ParleyApp(props: { platform: PlatformBridge }): JSX.Element {
  const [services] = useState(() => createAppServices(props.platform));
  const routing = props.platform.routing ?? (props.platform.kind === "desktop" ? "hash" : "path");
  return (
    <PlatformContext.Provider value={props.platform}>
      <ReduxProvider store={services.store}>
        <trpc.Provider client={services.trpcClient} queryClient={services.queryClient}>
          <QueryClientProvider client={services.queryClient}>
            <SessionContext.Provider value={services.session}>
              <RouterProvider mode={routing}>
                <Root session={services.session} />
              </RouterProvider>
            </SessionContext.Provider>
          </QueryClientProvider>
        </trpc.Provider>
      </ReduxProvider>
    </PlatformContext.Provider>
  );
}

function Root({ session }: { session: SessionManager }) {
  useApplyTheme();
  const status = useAppSelector((s) => s.auth.status);
  const t = useT();
  useEffect(() => {
    void session.restore();
  }, [session]);
  if (status === "restoring") {
    return (
      <div className="flex h-full items-center justify-center text-fg-soft" role="status">
        {t("app.loading")}
      </div>
    );
  }
  return status === "signedIn" ? <AppShell /> : <AuthScreen />;
}

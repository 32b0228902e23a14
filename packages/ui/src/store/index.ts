import { combineReducers, configureStore } from "@reduxjs/toolkit";
import { useDispatch, useSelector } from "react-redux";
import { authSlice } from "./authSlice";
import { connectionSlice } from "./connectionSlice";
import { draftsSlice, type DraftsState } from "./draftsSlice";
import { foldersSlice } from "./foldersSlice";
import { layoutSlice } from "./layoutSlice";
import { newChatSlice } from "./newChatSlice";
import { browserStorage, readJson, writeJson, type KeyValueStorage } from "./persistence";
import { defaultLanguage, prefsSlice, type PrefsState } from "./prefsSlice";
import { streamsSlice, type StreamsState } from "./streamsSlice";

const rootReducer = combineReducers({
  auth: authSlice.reducer,
  connection: connectionSlice.reducer,
  prefs: prefsSlice.reducer,
  layout: layoutSlice.reducer,
  drafts: draftsSlice.reducer,
  streams: streamsSlice.reducer,
  folders: foldersSlice.reducer,
  newChat: newChatSlice.reducer,
});

export type RootState = ReturnType<typeof rootReducer>;

const KEYS = { prefs: "parley.prefs", drafts: "parley.drafts", streams: "parley.streams" } as const;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function isPrefs(v: unknown): v is PrefsState {
  return (
    isRecord(v) &&
    ["light", "dark", "system"].includes(v.theme as string) &&
    ["en", "ru"].includes(v.language as string)
  );
}
const isDrafts = (v: unknown): v is DraftsState =>
  isRecord(v) && Object.values(v).every((t) => typeof t === "string");
const isStreams = (v: unknown): v is StreamsState =>
  isRecord(v) &&
  Object.values(v).every(
    (s) =>
      isRecord(s) &&
      typeof s.text === "string" &&
      (s.lastEventId === null || typeof s.lastEventId === "string"),
  );

export interface StoreOptions {
  /** Survives restarts: theme, language, drafts. */
  local?: KeyValueStorage;
  /** Survives a reload of this tab only: progress of streaming replies. */
  session?: KeyValueStorage;
  navigatorLanguage?: string;
}

export function createStore(options: StoreOptions = {}) {
  const local = options.local ?? browserStorage("local");
  const session = options.session ?? browserStorage("session");
  const language = defaultLanguage(options.navigatorLanguage ?? globalThis.navigator?.language);
  const preloadedState = {
    prefs: readJson(local, KEYS.prefs, isPrefs) ?? { theme: "system" as const, language },
    drafts: readJson(local, KEYS.drafts, isDrafts) ?? {},
    streams: readJson(session, KEYS.streams, isStreams) ?? {},
  };
  const store = configureStore({ reducer: rootReducer, preloadedState });

  // Write a slice back only when it changed (reference equality is enough with Immer).
  let last = store.getState();
  store.subscribe(() => {
    const state = store.getState();
    if (state.prefs !== last.prefs) writeJson(local, KEYS.prefs, state.prefs);
    if (state.drafts !== last.drafts) writeJson(local, KEYS.drafts, state.drafts);
    if (state.streams !== last.streams) writeJson(session, KEYS.streams, state.streams);
    last = state;
  });
  return store;
}

export type AppStore = ReturnType<typeof createStore>;
export type AppDispatch = AppStore["dispatch"];

export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();

import { describe, expect, it } from "vitest";
import { createStore } from "./index";
import { signedIn, signedOut, tokenRefreshed } from "./authSlice";
import { draftChanged, draftCleared, MAX_DRAFT_LENGTH } from "./draftsSlice";
import { searchChanged } from "./layoutSlice";
import { memoryStorage } from "./persistence";
import { languageChanged, themeChanged } from "./prefsSlice";
import { streamDelta, streamFinished } from "./streamsSlice";

describe("the client store", () => {
  it("keeps the access token in memory only: nothing about it reaches storage", () => {
    const local = memoryStorage();
    const session = memoryStorage();
    const store = createStore({ local, session });
    store.dispatch(signedIn({ accessToken: "secret.jwt.token" }));
    store.dispatch(draftChanged({ key: "c1", text: "hello" }));
    store.dispatch(tokenRefreshed({ accessToken: "next.jwt.token" }));
    expect(store.getState().auth).toMatchObject({
      status: "signedIn",
      accessToken: "next.jwt.token",
    });
    const everything = JSON.stringify([
      local.getItem("parley.prefs"),
      local.getItem("parley.drafts"),
      session.getItem("parley.streams"),
    ]);
    expect(everything).not.toContain("jwt");
    store.dispatch(signedOut({ reason: "expired" }));
    expect(store.getState().auth).toEqual({
      status: "signedOut",
      accessToken: null,
      signedOutReason: "expired",
    });
  });

  it("restores drafts, theme and language after a restart and streams after a reload", () => {
    const local = memoryStorage();
    const session = memoryStorage();
    const first = createStore({ local, session, navigatorLanguage: "en-US" });
    first.dispatch(draftChanged({ key: "new", text: "half a thought" }));
    first.dispatch(themeChanged("dark"));
    first.dispatch(languageChanged("ru"));
    first.dispatch(streamDelta({ messageId: "m1", eventId: "1", delta: "Hel" }));
    first.dispatch(streamDelta({ messageId: "m1", eventId: "2", delta: "lo" }));

    const second = createStore({ local, session, navigatorLanguage: "en-US" });
    expect(second.getState().drafts).toEqual({ new: "half a thought" });
    expect(second.getState().prefs).toEqual({ theme: "dark", language: "ru" });
    expect(second.getState().streams).toEqual({ m1: { text: "Hello", lastEventId: "2" } });
    expect(second.getState().auth.status).toBe("restoring");
  });

  it("ignores corrupt or foreign storage and picks the browser's language", () => {
    const local = memoryStorage();
    local.setItem("parley.prefs", "{not json");
    local.setItem("parley.drafts", JSON.stringify({ a: 42 }));
    const store = createStore({ local, session: memoryStorage(), navigatorLanguage: "ru-RU" });
    expect(store.getState().prefs).toEqual({ theme: "system", language: "ru" });
    expect(store.getState().drafts).toEqual({});
  });
});

describe("drafts", () => {
  it("clears a draft when emptied or sent and caps its size", () => {
    const store = createStore({ local: memoryStorage(), session: memoryStorage() });
    store.dispatch(draftChanged({ key: "c1", text: "x".repeat(MAX_DRAFT_LENGTH + 10) }));
    expect(store.getState().drafts.c1).toHaveLength(MAX_DRAFT_LENGTH);
    store.dispatch(draftChanged({ key: "c1", text: "" }));
    expect(store.getState().drafts).toEqual({});
    store.dispatch(draftChanged({ key: "c2", text: "y" }));
    store.dispatch(draftCleared("c2"));
    expect(store.getState().drafts).toEqual({});
  });

  it("keeps only the 50 most recently edited drafts", () => {
    const store = createStore({ local: memoryStorage(), session: memoryStorage() });
    for (let i = 0; i < 60; i++) store.dispatch(draftChanged({ key: `c${i}`, text: "draft" }));
    store.dispatch(draftChanged({ key: "c5", text: "edited again" }));
    const keys = Object.keys(store.getState().drafts);
    expect(keys).toHaveLength(50);
    expect(keys).not.toContain("c0");
    expect(keys.at(-1)).toBe("c5");
  });
});

describe("signing out", () => {
  it("on purpose forgets drafts, stream progress and the search; an expired session keeps the drafts", () => {
    const store = createStore({ local: memoryStorage(), session: memoryStorage() });
    const fill = () => {
      store.dispatch(signedIn({ accessToken: "t" }));
      store.dispatch(draftChanged({ key: "c1", text: "private thoughts" }));
      store.dispatch(streamDelta({ messageId: "m", eventId: "1", delta: "x" }));
      store.dispatch(searchChanged("secret project"));
    };
    fill();
    store.dispatch(signedOut({ reason: "expired" }));
    expect(store.getState().drafts).toEqual({ c1: "private thoughts" });
    fill();
    store.dispatch(signedOut());
    expect(store.getState().drafts).toEqual({});
    expect(store.getState().streams).toEqual({});
    expect(store.getState().layout.searchQuery).toBe("");
  });
});

describe("stream progress", () => {
  it("appends each event once, even when a reconnect replays the last one", () => {
    const store = createStore({ local: memoryStorage(), session: memoryStorage() });
    store.dispatch(streamDelta({ messageId: "m", eventId: "a", delta: "one " }));
    store.dispatch(streamDelta({ messageId: "m", eventId: "b", delta: "two " }));
    store.dispatch(streamDelta({ messageId: "m", eventId: "b", delta: "two " }));
    store.dispatch(streamDelta({ messageId: "m", eventId: "c", delta: "three" }));
    expect(store.getState().streams.m).toEqual({ text: "one two three", lastEventId: "c" });
    store.dispatch(streamFinished({ messageId: "m" }));
    expect(store.getState().streams).toEqual({});
  });
});

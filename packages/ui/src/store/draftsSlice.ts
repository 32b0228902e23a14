import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import { signedOut } from "./authSlice";

/** Key of the draft typed before a conversation exists. */
export const NEW_CHAT_DRAFT = "new";

/** Unsent composer text per conversation; persisted so a reload keeps it. */
export type DraftsState = Record<string, string>;

/** Drafts are kept small: a pasted novel should not fill localStorage. */
export const MAX_DRAFT_LENGTH = 32_000;
const MAX_DRAFTS = 50;

export const draftsSlice = createSlice({
  name: "drafts",
  initialState: {} as DraftsState,
  reducers: {
    draftChanged(state, action: PayloadAction<{ key: string; text: string }>) {
      const { key, text } = action.payload;
      if (!text) {
        delete state[key];
        return;
      }
      delete state[key];
      state[key] = text.slice(0, MAX_DRAFT_LENGTH);
      // Oldest drafts go first: object keys keep insertion order and we re-insert on edit.
      const keys = Object.keys(state);
      for (const old of keys.slice(0, Math.max(0, keys.length - MAX_DRAFTS))) delete state[old];
    },
    draftCleared(state, action: PayloadAction<string>) {
      delete state[action.payload];
    },
  },
  extraReducers: (builder) => {
    // Signing out on purpose (a shared computer) leaves nothing of this account behind;
    // an expired session keeps it for the same person signing back in.
    builder.addCase(signedOut, (state, action) =>
      action.payload?.reason === "expired" ? state : {},
    );
  },
});

export const { draftChanged, draftCleared } = draftsSlice.actions;

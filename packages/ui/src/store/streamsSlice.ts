import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import { signedOut } from "./authSlice";

/**
 * What this tab has received of each reply that is still streaming: the text so far and the
 * id of the last event. Kept in sessionStorage, so after a reload the subscription resumes
 * after `lastEventId` and appends only what is missing: no gap, no duplicate.
 */
export interface StreamProgress {
  text: string;
  lastEventId: string | null;
}

export type StreamsState = Record<string, StreamProgress>;

export const streamsSlice = createSlice({
  name: "streams",
  initialState: {} as StreamsState,
  reducers: {
    streamDelta(
      state,
      action: PayloadAction<{ messageId: string; eventId: string | null; delta: string }>,
    ) {
      const { messageId, eventId, delta } = action.payload;
      const progress = (state[messageId] ??= { text: "", lastEventId: null });
      // An event seen twice (a replayed id after a reconnect) must not be appended twice.
      if (eventId !== null && eventId === progress.lastEventId) return;
      progress.text += delta;
      if (eventId !== null) progress.lastEventId = eventId;
    },
    streamFinished(state, action: PayloadAction<{ messageId: string }>) {
      delete state[action.payload.messageId];
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

export const { streamDelta, streamFinished } = streamsSlice.actions;

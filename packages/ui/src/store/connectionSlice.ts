import { createSlice, type PayloadAction } from "@reduxjs/toolkit";

/**
 * Whether the API can be reached, as the client last saw it:
 * - "online": calls succeed (no banner);
 * - "offline": the device itself has no network (navigator.onLine is false);
 * - "reconnecting": the network is up but the server does not answer; probing it;
 * - "restored": it answered again after an outage (shown briefly, then "online").
 */
export type ConnectionStatus = "online" | "offline" | "reconnecting" | "restored";

export interface ConnectionState {
  status: ConnectionStatus;
}

const initialState: ConnectionState = { status: "online" };

export const connectionSlice = createSlice({
  name: "connection",
  initialState,
  reducers: {
    connectionChanged(state, action: PayloadAction<ConnectionStatus>) {
      state.status = action.payload;
    },
  },
});

export const { connectionChanged } = connectionSlice.actions;

import { createSlice, type PayloadAction } from "@reduxjs/toolkit";

/**
 * The session as the client knows it. The access token lives only here, in memory: a
 * reload loses it and the app gets a new one from the refresh token (cookie or keychain).
 */
/** "expired": the session ended (sign in again); "disabled": an admin disabled the account. */
export type SignedOutReason = "expired" | "disabled";

export interface AuthState {
  /** "restoring" until the first refresh attempt at start-up has answered. */
  status: "restoring" | "signedIn" | "signedOut";
  accessToken: string | null;
  /** Why the user was sent back to the sign-in screen, shown there once. */
  signedOutReason: SignedOutReason | null;
}

const initialState: AuthState = { status: "restoring", accessToken: null, signedOutReason: null };

export const authSlice = createSlice({
  name: "auth",
  initialState,
  reducers: {
    signedIn(state, action: PayloadAction<{ accessToken: string }>) {
      state.status = "signedIn";
      state.accessToken = action.payload.accessToken;
      state.signedOutReason = null;
    },
    tokenRefreshed(state, action: PayloadAction<{ accessToken: string }>) {
      state.accessToken = action.payload.accessToken;
      if (state.status !== "signedIn") state.status = "signedIn";
    },
    signedOut(state, action: PayloadAction<{ reason?: SignedOutReason } | undefined>) {
      state.status = "signedOut";
      state.accessToken = null;
      state.signedOutReason = action.payload?.reason ?? null;
    },
  },
});

export const { signedIn, tokenRefreshed, signedOut } = authSlice.actions;

import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import { signedOut } from "./authSlice";

/** A preset chosen for the next new chat: sent with its first message, which creates it. */
export interface ChosenPreset {
  id: string;
  name: string;
  /** The preset's model, shown in the model picker until another is picked. */
  model: string | null;
}

export interface NewChatState {
  preset: ChosenPreset | null;
}

const initialState: NewChatState = { preset: null };

/** Choices for a chat that does not exist yet (nothing is stored until the first message). */
export const newChatSlice = createSlice({
  name: "newChat",
  initialState,
  reducers: {
    presetChosen(state, action: PayloadAction<ChosenPreset | null>) {
      state.preset = action.payload;
    },
  },
  extraReducers: (builder) => {
    builder.addCase(signedOut, () => initialState);
  },
});

export const { presetChosen } = newChatSlice.actions;

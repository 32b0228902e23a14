import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import { signedOut } from "./authSlice";

/** The sidebar's selection (bulk archive / delete) and which folders are collapsed. */
export interface FoldersState {
  selecting: boolean;
  /** Conversation ids, in the order they were ticked. */
  selected: string[];
  /** Folder id → collapsed. Folders start open. */
  collapsed: Record<string, boolean>;
}

const initialState: FoldersState = { selecting: false, selected: [], collapsed: {} };

export const foldersSlice = createSlice({
  name: "folders",
  initialState,
  reducers: {
    selectingToggled(state, action: PayloadAction<boolean | undefined>) {
      state.selecting = action.payload ?? !state.selecting;
      state.selected = [];
    },
    selectionToggled(state, action: PayloadAction<string>) {
      const id = action.payload;
      state.selected = state.selected.includes(id)
        ? state.selected.filter((s) => s !== id)
        : [...state.selected, id];
    },
    selectionCleared(state) {
      state.selected = [];
    },
    folderCollapsed(state, action: PayloadAction<{ id: string; collapsed: boolean }>) {
      state.collapsed[action.payload.id] = action.payload.collapsed;
    },
  },
  extraReducers: (builder) => {
    builder.addCase(signedOut, () => initialState);
  },
});

export const { selectingToggled, selectionToggled, selectionCleared, folderCollapsed } =
  foldersSlice.actions;

import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import { signedOut } from "./authSlice";

/** Transient layout state: the sidebar drawer on narrow screens, the conversation search. */
export interface LayoutState {
  sidebarOpen: boolean;
  searchQuery: string;
  showArchived: boolean;
}

const initialState: LayoutState = { sidebarOpen: false, searchQuery: "", showArchived: false };

export const layoutSlice = createSlice({
  name: "layout",
  initialState,
  reducers: {
    sidebarToggled(state, action: PayloadAction<boolean | undefined>) {
      state.sidebarOpen = action.payload ?? !state.sidebarOpen;
    },
    searchChanged(state, action: PayloadAction<string>) {
      state.searchQuery = action.payload;
    },
    archivedToggled(state, action: PayloadAction<boolean | undefined>) {
      state.showArchived = action.payload ?? !state.showArchived;
    },
  },
  extraReducers: (builder) => {
    builder.addCase(signedOut, () => initialState);
  },
});

export const { sidebarToggled, searchChanged, archivedToggled } = layoutSlice.actions;

import type { QueryClient } from "@tanstack/react-query";

/**
 * Tabs of one browser tell each other when the conversation list changed (a chat created,
 * renamed, pinned, archived or deleted, a reply finished and titled), so a chat made in one
 * tab appears in every other tab's sidebar. Only a "changed" note crosses over; each tab
 * refetches its own list through its own session.
 */
const CHANNEL = "parley:conversations";

let channel: BroadcastChannel | null = null;

/** Every successful chat mutation of this tab is announced; a note from another tab marks
 * this tab's conversation lists and search results stale. Returns the undo. */
export function shareConversationChanges(queryClient: QueryClient): () => void {
  if (typeof BroadcastChannel === "undefined") return () => {};
  const own = new BroadcastChannel(CHANNEL);
  channel = own;
  own.onmessage = (event: MessageEvent<unknown>) => {
    if (event.data === "changed") {
      void queryClient.invalidateQueries({ queryKey: [["chat", "conversations"]] });
      void queryClient.invalidateQueries({ queryKey: [["folders"]] });
    }
  };
  const unsubscribe = queryClient.getMutationCache().subscribe((event) => {
    if (event.type !== "updated" || event.action.type !== "success") return;
    const path = event.mutation.options.mutationKey?.[0];
    if (Array.isArray(path) && (path[0] === "chat" || path[0] === "folders"))
      announceConversationsChanged();
  });
  return () => {
    unsubscribe();
    own.close();
    if (channel === own) channel = null;
  };
}

/** Tells the other tabs that the conversation list changed (e.g. a reply ended and the
 * conversation got its title). */
export function announceConversationsChanged(): void {
  channel?.postMessage("changed");
}

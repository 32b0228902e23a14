import { useInfiniteQuery } from "@tanstack/react-query";
import { getQueryKey } from "@trpc/react-query";
import { trpc } from "../../api/client";

/**
 * The conversation's visible branch, newest page first; older pages on demand.
 *
 * Built on React Query's useInfiniteQuery directly because tRPC's wrapper adds its own
 * `direction: "forward"` to the input, which collides with chat.messages.list's
 * `direction: "older" | "newer"` parameter. The query key is tRPC's own, so
 * `utils.chat.messages.list.invalidate({ conversationId })` still reaches it.
 */
export function useBranchMessages(conversationId: string | null) {
  const utils = trpc.useUtils();
  const input = { conversationId: conversationId ?? "" };
  return useInfiniteQuery({
    queryKey: getQueryKey(trpc.chat.messages.list, input, "infinite"),
    queryFn: ({ pageParam, signal }) =>
      utils.client.chat.messages.list.query(
        { ...input, ...(pageParam !== null ? { cursor: pageParam } : {}) },
        { signal },
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled: Boolean(conversationId),
  });
}

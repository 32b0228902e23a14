import { trpc } from "../../api/client";

/** Moving conversations between folders; every list (each folder's, the unfiled one) and the
 * moved conversation are refetched after. */
export function useMoveConversation(onMoved?: () => void) {
  const utils = trpc.useUtils();
  return trpc.chat.conversations.move.useMutation({
    onSuccess: (_, input) => {
      void utils.chat.conversations.list.invalidate();
      void utils.chat.conversations.get.invalidate({ id: input.id });
      onMoved?.();
    },
  });
}

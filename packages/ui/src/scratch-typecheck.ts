import { trpc } from "./api/client";
export function useX() {
  const m = trpc.chat.send.useMutation();
  m.mutate({ content: "x", clientMessageId: "y", bogus: 1 });
}

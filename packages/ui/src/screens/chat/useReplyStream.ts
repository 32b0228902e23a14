import { useRef } from "react";
import { trpc } from "../../api/client";
import { useAppDispatch, useAppSelector } from "../../store";
import { streamDelta, streamFinished } from "../../store/streamsSlice";

export interface StreamEnd {
  status: string;
  usage?: unknown;
}

/**
 * Follows one streaming reply. Resumes after the last event this tab saw (kept in
 * sessionStorage), so a reload continues the text instead of repeating it.
 */
export function useReplyStream(
  messageId: string,
  enabled: boolean,
  onEnd: (end: StreamEnd) => void,
) {
  const dispatch = useAppDispatch();
  const progress = useAppSelector((s) => s.streams[messageId]);
  // Read once: later events advance the id inside the link, and a changing input would
  // restart the subscription.
  const resumeFrom = useRef(progress?.lastEventId ?? null).current;
  const onEndRef = useRef(onEnd);
  onEndRef.current = onEnd;

  const subscription = trpc.chat.stream.useSubscription(
    { messageId, ...(resumeFrom ? { lastEventId: resumeFrom } : {}) },
    {
      enabled,
      onData(event) {
        const data = event.data as { delta?: string; status?: string; usage?: unknown };
        if (typeof data.delta === "string") {
          dispatch(streamDelta({ messageId, eventId: event.id ?? null, delta: data.delta }));
        }
        if (typeof data.status === "string") {
          onEndRef.current({ status: data.status, usage: data.usage });
          dispatch(streamFinished({ messageId }));
        }
      },
      // A refusal that is not about the token (the reply was deleted meanwhile): show what
      // the server has stored instead of a reply that looks forever in progress.
      onError() {
        onEndRef.current({ status: "unknown" });
      },
    },
  );
  return { text: progress?.text ?? null, status: subscription.status, error: subscription.error };
}

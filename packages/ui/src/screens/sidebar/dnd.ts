import { useState, type DragEvent } from "react";

/** What a dragged conversation carries: only its id, under a type of our own, so nothing
 * else on the page (the composer, another app) takes it as text. */
export const CONVERSATION_DRAG_TYPE = "application/x-parley-conversation";

export function startConversationDrag(event: DragEvent, conversationId: string): void {
  event.dataTransfer.setData(CONVERSATION_DRAG_TYPE, conversationId);
  event.dataTransfer.effectAllowed = "move";
}

/**
 * Drop-target handlers for a place a conversation can be dropped on, and whether one is
 * held over it now (for the highlight). `onDrop` gets the dropped conversation's id.
 */
export function useConversationDrop(onDrop: (conversationId: string) => void) {
  // Entering a child fires dragenter before the parent's dragleave: count, not a flag.
  const [depth, setDepth] = useState(0);
  const carries = (event: DragEvent) => event.dataTransfer.types.includes(CONVERSATION_DRAG_TYPE);
  return {
    over: depth > 0,
    handlers: {
      onDragEnter: (event: DragEvent) => {
        if (!carries(event)) return;
        event.preventDefault();
        setDepth((d) => d + 1);
      },
      onDragOver: (event: DragEvent) => {
        if (!carries(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
      },
      onDragLeave: (event: DragEvent) => {
        if (carries(event)) setDepth((d) => Math.max(0, d - 1));
      },
      onDrop: (event: DragEvent) => {
        if (!carries(event)) return;
        event.preventDefault();
        setDepth(0);
        const id = event.dataTransfer.getData(CONVERSATION_DRAG_TYPE);
        if (id) onDrop(id);
      },
    },
  };
}

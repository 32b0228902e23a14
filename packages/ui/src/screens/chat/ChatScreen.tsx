import { announceConversationsChanged } from "../../lib/crossTab";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { trpc } from "../../api/client";
import { isUnreachable } from "../../api/connection";
import { errorCode, errorText } from "../../api/errors";
import { Alert, Button, LoadMoreButton } from "../../components/ui";
import { useShortcutAction } from "../../lib/shortcuts";
import { useT } from "../../i18n";
import { usePlatform } from "../../lib/platform";
import { useRouter } from "../../lib/router";
import { useAppDispatch, useAppSelector } from "../../store";
import { presetChosen } from "../../store/newChatSlice";
import { draftCleared, NEW_CHAT_DRAFT } from "../../store/draftsSlice";
import { randomId } from "../../lib/ids";
import { displayTitle, SERVER_DEFAULT_TITLE } from "../../lib/titles";
import { streamFinished } from "../../store/streamsSlice";
import { useComposerAttachments } from "./attachments";
import { ChatHeader } from "./ChatHeader";
import { Composer } from "./Composer";
import { MessageItem, type ChatMessage } from "./MessageItem";
import { NoModelNotice } from "./NoModelNotice";
import { useReplyStream, type StreamEnd } from "./useReplyStream";

interface PendingSend {
  key: string;
  content: string;
  parentId: string | null | undefined;
  attachmentIds: string[];
  clientMessageId: string;
}

export function ChatScreen({ conversationId }: { conversationId: string | null }) {
  const t = useT();
  const dispatch = useAppDispatch();
  const platform = usePlatform();
  const { navigate } = useRouter();
  const utils = trpc.useUtils();
  const draftKey = conversationId ?? NEW_CHAT_DRAFT;
  const attachments = useComposerAttachments(draftKey);
  const [pickedModel, setPickedModel] = useState<string | null>(null);
  // A preset chosen for this new chat: its settings go with the first message.
  const chosenPreset = useAppSelector((state) => state.newChat.preset);
  const preset = conversationId ? null : chosenPreset;
  // Choosing another preset (or none) forgets a model picked before it.
  useEffect(() => setPickedModel(null), [chosenPreset?.id]);
  const pendingModel = pickedModel ?? preset?.model ?? null;
  // One id per message being sent: a retried send (network error) repeats the same id, and
  // the server answers with the rows it already stored instead of calling the model twice.
  const pendingSend = useRef<PendingSend | null>(null);
  const conversation = trpc.chat.conversations.get.useQuery(
    { id: conversationId ?? "" },
    { enabled: Boolean(conversationId) },
  );
  // The visible branch, newest page first; older pages on demand.
  const messagesQuery = trpc.chat.messages.list.useInfiniteQuery(
    { conversationId: conversationId ?? "" },
    { getNextPageParam: (page) => page.nextCursor, enabled: Boolean(conversationId) },
  );
  const messages: ChatMessage[] = useMemo(
    () =>
      (messagesQuery.data?.pages ?? [])
        .slice()
        .reverse()
        .flatMap((p) => p.items),
    [messagesQuery.data],
  );
  const streamingReply =
    messages.find((m) => m.role === "assistant" && m.status === "streaming") ?? null;

  const refreshConversation = useCallback(() => {
    if (conversationId) {
      void utils.chat.messages.list.invalidate({ conversationId });
      void utils.chat.conversations.get.invalidate({ id: conversationId });
    }
    void utils.chat.conversations.list.invalidate();
    // A finished reply may have titled the conversation: other tabs' sidebars follow.
    announceConversationsChanged();
  }, [conversationId, utils]);

  const models = trpc.chat.models.useQuery(undefined, { staleTime: 5 * 60_000 });
  const me = trpc.auth.me.useQuery();
  const noModel = Boolean(models.data && models.data.models.length === 0);

  const send = trpc.chat.send.useMutation({
    onSuccess: (result, input) => {
      pendingSend.current = null;
      // Edits carry a parentId; only a message typed in the composer empties its draft.
      if (input.parentId === undefined) {
        dispatch(draftCleared(draftKey));
        attachments.clear(draftKey);
      }
      if (!conversationId) {
        dispatch(presetChosen(null));
        navigate({ name: "chat", conversationId: result.conversation.id }, { replace: true });
      }
      void utils.chat.messages.list.invalidate({ conversationId: result.conversation.id });
      void utils.chat.conversations.list.invalidate();
    },
  });
  const stop = trpc.chat.stop.useMutation({ onSettled: refreshConversation });
  const stopReply = () => {
    if (streamingReply && !stop.isPending) stop.mutate({ messageId: streamingReply.id });
  };
  useShortcutAction("stopReply", stopReply);
  const regenerate = trpc.chat.regenerate.useMutation({ onSuccess: refreshConversation });
  const rate = trpc.feedback.set.useMutation({ onSettled: refreshConversation });
  const continueReply = trpc.chat.continue.useMutation({ onSuccess: refreshConversation });
  const switchBranch = trpc.chat.messages.switchBranch.useMutation({
    onSuccess: refreshConversation,
  });
  const busy =
    Boolean(streamingReply) || send.isPending || regenerate.isPending || continueReply.isPending;

  const submit = (content: string, parentId?: string | null, attachmentIds: string[] = []) => {
    const key = `${parentId ?? ""}|${attachmentIds.join(",")}|${content}`;
    if (pendingSend.current?.key !== key)
      pendingSend.current = {
        key,
        content,
        parentId,
        attachmentIds,
        clientMessageId: randomId(),
      };
    const pending = pendingSend.current;
    // The first message creates the chat, with the preset and the model chosen for it.
    const newChat = conversationId
      ? { conversationId }
      : {
          ...(preset ? { presetId: preset.id } : {}),
          ...(pendingModel ? { model: pendingModel } : {}),
        };
    send.mutate({
      ...newChat,
      content,
      clientMessageId: pending.clientMessageId,
      ...(parentId !== undefined ? { parentId } : {}),
      ...(attachmentIds.length ? { attachmentIds } : {}),
    });
  };

  const onStreamEnd = useCallback(
    (end: StreamEnd) => {
      refreshConversation();
      // The server names a new conversation right after its first reply; look again shortly.
      if (conversation.data?.title === SERVER_DEFAULT_TITLE) {
        for (const delay of [1_500, 5_000]) setTimeout(refreshConversation, delay);
      }
      if (platform.notify && document.hidden && end.status === "complete") {
        platform.notify(t("chat.notifyDone"), displayTitle(conversation.data?.title, t));
      }
    },
    [refreshConversation, platform, t, conversation.data?.title],
  );

  // Progress kept for replies that have since finished (in another tab, or while away).
  useEffect(() => {
    for (const m of messages)
      if (m.role === "assistant" && m.status !== "streaming")
        dispatch(streamFinished({ messageId: m.id }));
  }, [messages, dispatch]);

  const { scroller, content } = useAutoScroll();

  if (
    conversationId &&
    (errorCode(conversation.error) === "NOT_FOUND" ||
      errorCode(messagesQuery.error) === "NOT_FOUND")
  ) {
    return (
      <>
        <ChatHeader
          conversation={null}
          pendingModel={pendingModel}
          onPendingModelChange={setPickedModel}
        />
        <div className="mx-auto mt-10 w-full max-w-md px-4">
          <Alert>{t("chat.notFound")}</Alert>
        </div>
      </>
    );
  }

  // Any other failure (the server is down, or failing): say so, and let the reconnect refetch
  // or the button refill the pane; an empty "New chat" would look like the chat was lost.
  const loadError = conversationId ? (conversation.error ?? messagesQuery.error) : null;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <ChatHeader
        conversation={conversation.data ?? null}
        loading={Boolean(conversationId) && !conversation.data}
        pendingModel={pendingModel}
        onPendingModelChange={setPickedModel}
      />
      {loadError && !messagesQuery.data ? (
        <div className="mx-auto mt-10 w-full max-w-md px-4" data-testid="chat-load-error">
          <Alert>
            <span className="flex flex-wrap items-center gap-2">
              <span className="flex-1">
                {isUnreachable(loadError)
                  ? t("chat.loadUnreachable")
                  : `${t("chat.loadFailed")} ${errorText(loadError, t)}`}
              </span>
              <Button
                size="sm"
                onClick={() => {
                  void conversation.refetch();
                  void messagesQuery.refetch();
                }}
              >
                {t("common.retry")}
              </Button>
            </span>
          </Alert>
        </div>
      ) : null}
      <div
        ref={scroller}
        className="min-h-0 flex-1 overflow-y-auto"
        data-testid="messages"
        data-state={messagesQuery.status}
        data-error={messagesQuery.error?.message}
      >
        <div ref={content} className="min-h-full">
          {!conversationId || (messagesQuery.isSuccess && messages.length === 0) ? (
            <div className="mx-auto flex h-full min-h-[50vh] max-w-md flex-col items-center justify-center gap-2 px-6 text-center">
              <h2 className="text-2xl font-semibold">{t("chat.emptyTitle")}</h2>
              <p className="text-sm text-fg-soft">{t("chat.emptyHint")}</p>
              {preset ? (
                <p
                  className="mt-2 flex flex-wrap items-center justify-center gap-2 rounded-lg border border-line px-3 py-2 text-sm"
                  data-testid="chosen-preset"
                >
                  <span>{t("presets.chosen", { name: preset.name })}</span>
                  <Button size="sm" variant="ghost" onClick={() => dispatch(presetChosen(null))}>
                    {t("presets.unchoose")}
                  </Button>
                </p>
              ) : null}
            </div>
          ) : (
            <div className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6">
              <LoadMoreButton
                pages={messagesQuery}
                label={t("sidebar.loadMore")}
                variant="ghost"
                size="sm"
                className="self-center"
              />
              {messages.map((message) =>
                message.role === "assistant" && message.status === "streaming" ? (
                  <StreamingMessage key={message.id} message={message} onEnd={onStreamEnd} />
                ) : (
                  <MessageItem
                    key={message.id}
                    message={message}
                    streaming={false}
                    busy={busy}
                    onEdit={
                      message.role === "user"
                        ? (content) =>
                            submit(
                              content,
                              message.parentId,
                              // The edited question keeps the files it carried.
                              (message.attachments ?? []).map((a) => a.id),
                            )
                        : undefined
                    }
                    onRegenerate={
                      message.role === "assistant"
                        ? () => regenerate.mutate({ messageId: message.id })
                        : undefined
                    }
                    onSwitchBranch={(id) => switchBranch.mutate({ messageId: id })}
                    onContinue={
                      message.role === "assistant"
                        ? () => continueReply.mutate({ messageId: message.id })
                        : undefined
                    }
                    onRate={
                      message.role === "assistant"
                        ? (rating) => rate.mutate({ messageId: message.id, rating })
                        : undefined
                    }
                  />
                ),
              )}
            </div>
          )}
        </div>
      </div>
      {send.error ? (
        <div className="mx-auto w-full max-w-3xl px-4 pb-2">
          <Alert>
            <span className="flex flex-wrap items-center gap-2">
              <span className="flex-1">
                {isUnreachable(send.error) ? t("chat.sendUnreachable") : errorText(send.error, t)}
              </span>
              {pendingSend.current ? (
                <Button
                  size="sm"
                  onClick={() =>
                    pendingSend.current &&
                    submit(
                      pendingSend.current.content,
                      pendingSend.current.parentId,
                      pendingSend.current.attachmentIds,
                    )
                  }
                >
                  {t("common.retry")}
                </Button>
              ) : null}
            </span>
          </Alert>
        </div>
      ) : null}
      {regenerate.error || stop.error || switchBranch.error || rate.error || continueReply.error ? (
        <div className="mx-auto w-full max-w-3xl px-4 pb-2">
          <Alert>
            {errorText(
              regenerate.error ??
                stop.error ??
                switchBranch.error ??
                rate.error ??
                continueReply.error,
              t,
            )}
          </Alert>
        </div>
      ) : null}
      {noModel ? (
        <div className="mx-auto w-full max-w-3xl px-4 pb-2">
          <NoModelNotice admin={me.data?.role === "admin"} />
        </div>
      ) : null}
      <Composer
        draftKey={draftKey}
        streaming={Boolean(streamingReply)}
        disabled={send.isPending}
        unavailable={noModel}
        attachments={attachments}
        onSend={(text) => {
          submit(text, undefined, attachments.readyIds);
        }}
        onStop={stopReply}
      />
    </div>
  );
}

function StreamingMessage({
  message,
  onEnd,
}: {
  message: ChatMessage;
  onEnd: (end: StreamEnd) => void;
}) {
  const t = useT();
  const stream = useReplyStream(message.id, true, onEnd);
  return (
    <div className="flex flex-col gap-1">
      <MessageItem message={message} liveText={stream.text ?? message.content} streaming busy />
      {stream.status === "connecting" && stream.error ? (
        <p className="text-xs text-fg-soft" role="status">
          {t("chat.reconnecting")}
        </p>
      ) : null}
    </div>
  );
}

/** Keeps the view pinned to the newest text while the reader is at the bottom; content
 * growth (a streaming reply re-renders only itself) is noticed with a ResizeObserver. */
function useAutoScroll() {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    if (content.current) observer.observe(content.current);
    return () => {
      el.removeEventListener("scroll", onScroll);
      observer.disconnect();
    };
  }, []);
  return { scroller, content };
}

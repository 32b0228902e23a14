import {
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type ClipboardEvent,
  type DragEvent,
  type KeyboardEvent,
} from "react";
import { PaperclipIcon, SendIcon, StopIcon } from "../../components/icons";
import { cx, IconButton } from "../../components/ui";
import { useT } from "../../i18n";
import { useShortcutAction } from "../../lib/shortcuts";
import { useAppDispatch, useAppSelector } from "../../store";
import { draftChanged, MAX_DRAFT_LENGTH } from "../../store/draftsSlice";
import { ComposerAttachmentList, type ComposerAttachments } from "./attachments";

export interface ComposerProps {
  /** Where the draft is kept: the conversation id, or NEW_CHAT_DRAFT. */
  draftKey: string;
  streaming: boolean;
  disabled?: boolean;
  /** No model to send to: the box is greyed out and says why. */
  unavailable?: boolean;
  /** Files picked, dropped or pasted: uploaded as they come, sent with the message. */
  attachments: ComposerAttachments;
  onSend(text: string): void;
  onStop(): void;
}

/** Enter sends, Shift+Enter breaks the line; the draft lives in Redux and survives reloads. */
export function Composer({
  draftKey,
  streaming,
  disabled,
  unavailable,
  attachments,
  onSend,
  onStop,
}: ComposerProps) {
  const t = useT();
  const dispatch = useAppDispatch();
  const text = useAppSelector((s) => s.drafts[draftKey] ?? "");
  const ref = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them to know when it leaves.
  const dragDepth = useRef(0);

  // Grow with the text up to a third of the screen.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, window.innerHeight / 3)}px`;
  }, [text]);

  useEffect(() => {
    ref.current?.focus();
  }, [draftKey]);
  useShortcutAction("focusComposer", () => ref.current?.focus());

  // Text, or a stored file alone (a photo to describe, a document to read).
  const hasContent = text.trim().length > 0 || attachments.readyIds.length > 0;
  const canSend = hasContent && !streaming && !disabled && !unavailable && !attachments.uploading;
  const send = () => {
    if (canSend) onSend(text.trim());
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME candidate (Japanese, Chinese…) must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const carriesFiles = (event: DragEvent) => event.dataTransfer.types.includes("Files");
  const onDragEnter = (event: DragEvent) => {
    if (!carriesFiles(event) || unavailable) return;
    event.preventDefault();
    dragDepth.current += 1;
    setDragging(true);
  };
  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event) || unavailable) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  };
  const onDragLeave = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (dragDepth.current === 0) setDragging(false);
  };
  const onDrop = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    if (!unavailable) attachments.add(Array.from(event.dataTransfer.files));
  };
  // A pasted screenshot or copied file is attached; pasted text stays text.
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = Array.from(event.clipboardData.files);
    if (files.length === 0) return;
    event.preventDefault();
    attachments.add(files);
  };

  return (
    <form
      className="mx-auto w-full max-w-3xl px-3 pb-3 sm:px-4 sm:pb-4"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {/* The ring is drawn around the whole box (data-focus-ring), not the bare textarea. */}
      <div
        data-focus-ring
        data-dragging={dragging || undefined}
        className={cx(
          "relative flex flex-col rounded-2xl border bg-surface p-2 shadow-sm focus-within:border-accent focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-accent",
          dragging ? "border-accent border-dashed" : "border-line",
        )}
      >
        {dragging ? (
          <div
            aria-hidden="true"
            className="pointer-events-none absolute inset-0 z-10 flex items-center justify-center rounded-2xl bg-surface/90 text-sm font-medium text-accent"
          >
            {t("files.dropHere")}
          </div>
        ) : null}
        <ComposerAttachmentList attachments={attachments} />
        <div className="flex items-end gap-2">
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            tabIndex={-1}
            aria-label={t("files.attach")}
            data-testid="attach-input"
            onChange={(e) => {
              attachments.add(Array.from(e.target.files ?? []));
              // The same file picked again after removing it must fire change again.
              e.target.value = "";
            }}
          />
          <IconButton
            label={t("files.attach")}
            onClick={() => picker.current?.click()}
            disabled={unavailable}
            className="h-10 w-10 rounded-xl"
          >
            <PaperclipIcon />
          </IconButton>
          <label htmlFor="composer" className="sr-only">
            {t("chat.composer")}
          </label>
          <textarea
            id="composer"
            ref={ref}
            rows={1}
            value={text}
            maxLength={MAX_DRAFT_LENGTH}
            disabled={unavailable}
            placeholder={unavailable ? t("chat.placeholderNoModel") : t("chat.placeholder")}
            onChange={(e) => dispatch(draftChanged({ key: draftKey, text: e.target.value }))}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            className="max-h-[33vh] min-h-10 flex-1 resize-none bg-transparent px-2 py-2 text-[15px] leading-6 text-fg placeholder:text-fg-soft focus:outline-none"
          />
          {streaming ? (
            <button
              type="button"
              onClick={onStop}
              aria-label={t("chat.stop")}
              title={t("chat.stop")}
              className="inline-flex h-10 w-10 shrink-0 items-center justify-center rounded-xl bg-fg text-bg hover:opacity-90"
            >
              <StopIcon />
            </button>
          ) : (
            <button
              type="submit"
              disabled={!canSend}
              aria-label={t("chat.send")}
              title={attachments.uploading ? t("files.waitForUploads") : t("chat.send")}
              className={cx(
                "inline-flex h-10 w-10 shrink-0 items-center justify-center rounded-xl bg-accent-solid text-white",
                canSend ? "hover:bg-accent-solid-strong" : "opacity-40",
              )}
            >
              <SendIcon />
            </button>
          )}
        </div>
      </div>
    </form>
  );
}

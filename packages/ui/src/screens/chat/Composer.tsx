import { useEffect, useLayoutEffect, useRef, type KeyboardEvent } from "react";
import { SendIcon, StopIcon } from "../../components/icons";
import { cx } from "../../components/ui";
import { useT } from "../../i18n";
import { useAppDispatch, useAppSelector } from "../../store";
import { draftChanged, MAX_DRAFT_LENGTH } from "../../store/draftsSlice";

export interface ComposerProps {
  /** Where the draft is kept: the conversation id, or NEW_CHAT_DRAFT. */
  draftKey: string;
  streaming: boolean;
  disabled?: boolean;
  /** No model to send to: the box is greyed out and says why. */
  unavailable?: boolean;
  onSend(text: string): void;
  onStop(): void;
}

/** Enter sends, Shift+Enter breaks the line; the draft lives in Redux and survives reloads. */
export function Composer({
  draftKey,
  streaming,
  disabled,
  unavailable,
  onSend,
  onStop,
}: ComposerProps) {
  const t = useT();
  const dispatch = useAppDispatch();
  const text = useAppSelector((s) => s.drafts[draftKey] ?? "");
  const ref = useRef<HTMLTextAreaElement>(null);

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

  const canSend = text.trim().length > 0 && !streaming && !disabled && !unavailable;
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

  return (
    <form
      className="mx-auto w-full max-w-3xl px-3 pb-3 sm:px-4 sm:pb-4"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {/* The ring is drawn around the whole box (data-focus-ring), not the bare textarea. */}
      <div
        data-focus-ring
        className="flex items-end gap-2 rounded-2xl border border-line bg-surface p-2 shadow-sm focus-within:border-accent focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-accent"
      >
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
            title={t("chat.send")}
            className={cx(
              "inline-flex h-10 w-10 shrink-0 items-center justify-center rounded-xl bg-accent-solid text-white",
              canSend ? "hover:bg-accent-solid-strong" : "opacity-40",
            )}
          >
            <SendIcon />
          </button>
        )}
      </div>
    </form>
  );
}

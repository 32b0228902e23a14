import type { RouterOutputs } from "@parley/api";
import { useState } from "react";
import {
  AlertIcon,
  ChevronLeftIcon,
  ChevronRightIcon,
  CopyIcon,
  EditIcon,
  RefreshIcon,
  ThumbDownIcon,
  ThumbUpIcon,
} from "../../components/icons";
import { Button, cx, IconButton } from "../../components/ui";
import { formatFullDateTime, formatNumber, formatShortTime, useLanguage, useT } from "../../i18n";
import { usePlatform } from "../../lib/platform";
import { LazyMarkdown as Markdown } from "../../markdown/LazyMarkdown";
import { MessageAttachments } from "./attachments";
import { displayModel } from "../../lib/models";

/** A message as `chat.messages.list` returns it: its branch siblings and attachments too. */
export type ChatMessage = RouterOutputs["chat"]["messages"]["list"]["items"][number];

export interface MessageItemProps {
  message: ChatMessage;
  /** Text to show instead of the stored content while a reply streams. */
  liveText?: string | null;
  streaming: boolean;
  busy: boolean;
  onEdit?(content: string): void;
  onRegenerate?(): void;
  onSwitchBranch?(messageId: string): void;
  /** Goes on from a reply that was cut off, as a new version of it. */
  onContinue?(): void;
  /** A thumbs up or down on a reply (null takes it back). */
  onRate?(rating: "up" | "down" | null): void;
}

export function MessageItem({
  message,
  liveText,
  streaming,
  busy,
  onEdit,
  onRegenerate,
  onSwitchBranch,
  onRate,
  onContinue,
}: MessageItemProps) {
  const t = useT();
  const platform = usePlatform();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.content);
  const [copied, setCopied] = useState(false);
  const isUser = message.role === "user";
  const text = liveText ?? message.content;
  // An edited question may be left with its files alone, as it could be sent.
  const canResend = draft.trim().length > 0 || Boolean(message.attachments?.length);
  const markdownProps = {
    onOpenExternal: platform.openExternal?.bind(platform),
    copyLabel: t("chat.copyCode"),
    copiedLabel: t("chat.copied"),
  };

  const copy = () =>
    void navigator.clipboard?.writeText(text).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });

  return (
    <article
      className={cx("group flex flex-col gap-1", isUser ? "items-end" : "items-start")}
      aria-label={isUser ? t("chat.you") : t("chat.assistant")}
      data-role={message.role}
      data-status={message.status}
      data-message-id={message.id}
    >
      {message.attachments?.length ? (
        <MessageAttachments attachments={message.attachments} alignEnd={isUser} />
      ) : null}
      {editing ? (
        <form
          className="flex w-full flex-col gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!canResend) return;
            setEditing(false);
            onEdit?.(draft.trim());
          }}
        >
          <label className="sr-only" htmlFor={`edit-${message.id}`}>
            {t("chat.editLabel")}
          </label>
          <textarea
            id={`edit-${message.id}`}
            value={draft}
            autoFocus
            maxLength={32_000}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") setEditing(false);
            }}
            className="min-h-24 w-full rounded-xl border border-line bg-surface p-3 text-[15px]"
          />
          <div className="flex justify-end gap-2">
            <Button size="sm" onClick={() => setEditing(false)}>
              {t("chat.cancel")}
            </Button>
            <Button size="sm" type="submit" variant="primary" disabled={!canResend || busy}>
              {t("chat.saveAndSend")}
            </Button>
          </div>
        </form>
      ) : isUser && !text && message.attachments?.length ? null : (
        <div
          data-testid="message-text"
          className={cx(
            "max-w-full text-[15px]",
            isUser ? "rounded-2xl rounded-br-md bg-bubble px-4 py-2.5 sm:max-w-[85%]" : "w-full",
            streaming && "stream-cursor",
          )}
        >
          {text ? (
            <Markdown text={text} {...markdownProps} />
          ) : streaming ? (
            <p className="text-fg-soft">{t("chat.thinking")}</p>
          ) : null}
        </div>
      )}

      {!isUser && message.status === "error" ? (
        <div
          role="alert"
          className="flex w-full flex-wrap items-center gap-2 rounded-lg border border-danger/40 bg-danger/10 px-3 py-2 text-sm text-danger"
        >
          <AlertIcon />
          <span className="flex-1">{message.error || t("chat.status.error")}</span>
          {onContinue && message.content.trim() ? (
            <Button size="sm" onClick={onContinue} disabled={busy}>
              {t("chat.continue")}
            </Button>
          ) : null}
          {onRegenerate ? (
            <Button size="sm" onClick={onRegenerate} disabled={busy}>
              {t("chat.retry")}
            </Button>
          ) : null}
        </div>
      ) : null}
      {!isUser && (message.status === "stopped" || message.status === "interrupted") ? (
        <div className="flex flex-wrap items-center gap-2">
          <p className="text-xs text-fg-soft" role="status">
            {message.status === "stopped" ? t("chat.status.stopped") : t("chat.status.interrupted")}
          </p>
          {onContinue && message.content.trim() ? (
            <Button size="sm" onClick={onContinue} disabled={busy}>
              {t("chat.continue")}
            </Button>
          ) : null}
        </div>
      ) : null}

      {!editing && !streaming ? (
        <div className={cx("flex items-center gap-0.5 text-fg-soft", isUser && "flex-row-reverse")}>
          {message.siblingIds.length > 1 ? (
            <BranchSwitcher message={message} onSwitch={onSwitchBranch} disabled={busy} />
          ) : null}
          <IconButton
            label={copied ? t("chat.copied") : t("chat.copy")}
            onClick={copy}
            className="h-8 w-8"
          >
            <CopyIcon width={15} height={15} />
          </IconButton>
          {isUser && onEdit ? (
            <IconButton
              label={t("chat.edit")}
              onClick={() => {
                setDraft(message.content);
                setEditing(true);
              }}
              disabled={busy}
              className="h-8 w-8"
            >
              <EditIcon width={15} height={15} />
            </IconButton>
          ) : null}
          {!isUser && onRegenerate && message.status !== "error" ? (
            <IconButton
              label={t("chat.regenerate")}
              onClick={onRegenerate}
              disabled={busy}
              className="h-8 w-8"
            >
              <RefreshIcon width={15} height={15} />
            </IconButton>
          ) : null}
          {!isUser && onRate && message.status !== "error" ? (
            <Rating rating={message.rating ?? null} onRate={onRate} disabled={busy} />
          ) : null}
          <MessageTime createdAt={message.createdAt} />
          {!isUser && message.model ? (
            <span className="ml-1 text-xs">{displayModel(message.model)}</span>
          ) : null}
          {!isUser && message.completionTokens != null ? (
            <UsageLine
              prompt={message.promptTokens ?? 0}
              completion={message.completionTokens}
              estimated={message.usageEstimated}
            />
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

/** Thumbs up and down: pressed buttons (aria-pressed); pressing the pressed one takes it
 * back. Shown at once, before the server has answered. */
function Rating({
  rating,
  onRate,
  disabled,
}: {
  rating: "up" | "down" | null;
  onRate(rating: "up" | "down" | null): void;
  disabled: boolean;
}) {
  const t = useT();
  const [shown, setShown] = useState(rating);
  const [seen, setSeen] = useState(rating);
  if (seen !== rating) {
    setSeen(rating);
    setShown(rating);
  }
  const press = (value: "up" | "down") => {
    const next = shown === value ? null : value;
    setShown(next);
    onRate(next);
  };
  return (
    <div
      className="flex items-center"
      role="group"
      aria-label={t("chat.rate")}
      data-rating={shown ?? ""}
    >
      {(["up", "down"] as const).map((value) => (
        <IconButton
          key={value}
          label={value === "up" ? t("chat.rateUp") : t("chat.rateDown")}
          aria-pressed={shown === value}
          onClick={() => press(value)}
          disabled={disabled}
          className={cx("h-8 w-8", shown === value && "text-accent")}
        >
          {value === "up" ? (
            <ThumbUpIcon width={15} height={15} fill={shown === value ? "currentColor" : "none"} />
          ) : (
            <ThumbDownIcon
              width={15}
              height={15}
              fill={shown === value ? "currentColor" : "none"}
            />
          )}
        </IconButton>
      ))}
    </div>
  );
}

/** When the message was written: a short time (with the day when not today), the full
 * date and time on hover and for assistive technology, in the chosen language. */
function MessageTime({ createdAt }: { createdAt: Date | string }) {
  const language = useLanguage();
  const date = new Date(createdAt);
  return (
    <time
      dateTime={date.toISOString()}
      title={formatFullDateTime(language, date)}
      aria-label={formatFullDateTime(language, date)}
      className="mx-1 text-xs tabular-nums"
      data-testid="message-time"
    >
      {formatShortTime(language, date)}
    </time>
  );
}

function UsageLine({
  prompt,
  completion,
  estimated,
}: {
  prompt: number;
  completion: number;
  estimated: boolean;
}) {
  const t = useT();
  const language = useLanguage();
  const figures = {
    prompt: formatNumber(language, prompt),
    completion: formatNumber(language, completion),
  };
  return (
    <span
      className="ml-1 text-xs"
      data-testid="message-usage"
      data-estimated={estimated}
      title={estimated ? t("chat.tokensEstimatedHint") : undefined}
    >
      · {t(estimated ? "chat.tokensEstimated" : "chat.tokens", figures)}
    </span>
  );
}

function BranchSwitcher({
  message,
  onSwitch,
  disabled,
}: {
  message: ChatMessage;
  onSwitch?: (id: string) => void;
  disabled: boolean;
}) {
  const t = useT();
  const ids = message.siblingIds;
  const index = message.siblingIndex + 1;
  const count = ids.length;
  return (
    <div
      className="flex items-center text-xs"
      role="group"
      aria-label={t("chat.branch", { index, count })}
    >
      <IconButton
        label={t("chat.prevBranch")}
        className="h-8 w-7"
        disabled={disabled || index <= 1}
        onClick={() => onSwitch?.(ids[index - 2]!)}
      >
        <ChevronLeftIcon width={15} height={15} />
      </IconButton>
      <span aria-live="polite" className="tabular-nums">
        {index}/{count}
      </span>
      <IconButton
        label={t("chat.nextBranch")}
        className="h-8 w-7"
        disabled={disabled || index >= count}
        onClick={() => onSwitch?.(ids[index]!)}
      >
        <ChevronRightIcon width={15} height={15} />
      </IconButton>
    </div>
  );
}

import {
  forwardRef,
  type CSSProperties,
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type TextareaHTMLAttributes,
} from "react";
import { createPortal } from "react-dom";

export function cx(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(" ");
}

type Variant = "primary" | "secondary" | "ghost" | "danger";

const variants: Record<Variant, string> = {
  // accent-solid, not accent: white on the dark theme's lighter accent is only 3.65:1.
  primary: "bg-accent-solid text-white hover:bg-accent-solid-strong disabled:opacity-50",
  secondary: "border border-line bg-surface text-fg hover:bg-muted disabled:opacity-50",
  ghost: "text-fg hover:bg-muted disabled:opacity-50",
  // A darker red than the danger text colour, so white text keeps its contrast in dark mode.
  danger: "bg-danger-solid text-white hover:opacity-90 disabled:opacity-50",
};

export const Button = forwardRef<
  HTMLButtonElement,
  ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; size?: "sm" | "md" }
>(function Button(
  { variant = "secondary", size = "md", className, type = "button", ...props },
  ref,
) {
  return (
    <button
      ref={ref}
      type={type}
      className={cx(
        "inline-flex items-center justify-center gap-2 rounded-lg font-medium transition-colors disabled:cursor-not-allowed",
        size === "sm" ? "h-8 px-2.5 text-sm" : "h-10 px-4 text-sm",
        variants[variant],
        className,
      )}
      {...props}
    />
  );
});

/** A button with only an icon: the label is required, for screen readers and tooltips. */
/** "Load more" under a paged list (an infinite query); nothing once every page is in. */
export function LoadMoreButton({
  pages,
  label,
  ...button
}: {
  pages: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  label: string;
  variant?: Variant;
  size?: "sm" | "md";
  className?: string;
}) {
  if (!pages.hasNextPage) return null;
  return (
    <Button
      {...button}
      onClick={() => void pages.fetchNextPage()}
      disabled={pages.isFetchingNextPage}
    >
      {label}
    </Button>
  );
}

export const IconButton = forwardRef<
  HTMLButtonElement,
  ButtonHTMLAttributes<HTMLButtonElement> & { label: string }
>(function IconButton({ label, className, type = "button", ...props }, ref) {
  return (
    <button
      ref={ref}
      type={type}
      aria-label={label}
      title={label}
      className={cx(
        "inline-flex h-9 w-9 shrink-0 items-center justify-center rounded-lg text-fg-soft hover:bg-muted hover:text-fg disabled:opacity-40",
        className,
      )}
      {...props}
    />
  );
});

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  error?: string | undefined;
  hint?: string;
}

/** A labelled input whose error is announced and tied to it with aria-describedby. */
export const TextField = forwardRef<HTMLInputElement, FieldProps>(function TextField(
  { label, error, hint, id, className, ...props },
  ref,
) {
  const autoId = useId();
  const inputId = id ?? autoId;
  const describedBy =
    [error ? `${inputId}-error` : null, hint ? `${inputId}-hint` : null]
      .filter(Boolean)
      .join(" ") || undefined;
  return (
    <div className={cx("flex flex-col gap-1", className)}>
      <label htmlFor={inputId} className="text-sm font-medium">
        {label}
      </label>
      <input
        ref={ref}
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={cx(
          "h-10 rounded-lg border bg-surface px-3 text-sm text-fg placeholder:text-fg-soft",
          error ? "border-danger" : "border-line",
        )}
        {...props}
      />
      {hint && !error ? (
        <p id={`${inputId}-hint`} className="text-xs text-fg-soft">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${inputId}-error`} role="alert" className="text-xs text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
});

export function TextArea({
  label,
  className,
  ...props
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string }) {
  const id = useId();
  return (
    <div className={cx("flex flex-col gap-1", className)}>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <textarea
        id={id}
        className="min-h-24 rounded-lg border border-line bg-surface p-3 text-sm text-fg"
        {...props}
      />
    </div>
  );
}

export function Alert({
  children,
  tone = "danger",
}: {
  children: ReactNode;
  tone?: "danger" | "info" | "success";
}) {
  const tones = {
    danger: "border-danger/40 bg-danger/10 text-danger",
    info: "border-line bg-muted text-fg",
    success: "border-success/40 bg-success/10 text-success",
  };
  return (
    <div
      role={tone === "danger" ? "alert" : "status"}
      className={cx("rounded-lg border px-3 py-2 text-sm", tones[tone])}
    >
      {children}
    </div>
  );
}

/**
 * A modal built on <dialog>: the browser traps focus, Escape closes it, and focus returns
 * to the element that opened it.
 */
export function Dialog({
  open,
  onClose,
  title,
  children,
  wide,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  /** For pictures: nearly the whole window instead of a form's width. */
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
      className={cx(
        "m-auto rounded-xl border border-line bg-surface p-0 text-fg shadow-xl backdrop:bg-black/40",
        wide ? "w-[min(64rem,calc(100vw-2rem))]" : "w-[min(32rem,calc(100vw-2rem))]",
      )}
    >
      {open ? (
        <div className="flex flex-col gap-4 p-5">
          <h2 id={titleId} className="text-lg font-semibold">
            {title}
          </h2>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}

/** "Are you sure?" before something that cannot be undone: the question, what went wrong
 * the last time if anything, Cancel and the dangerous action. */
export function ConfirmDialog({
  open,
  onClose,
  title,
  children,
  error,
  confirmLabel,
  cancelLabel,
  onConfirm,
  pending,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  error?: string | null;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
  pending: boolean;
}) {
  return (
    <Dialog open={open} onClose={onClose} title={title}>
      <p className="text-sm">{children}</p>
      {error ? <Alert>{error}</Alert> : null}
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>{cancelLabel}</Button>
        <Button variant="danger" onClick={onConfirm} disabled={pending}>
          {confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

/**
 * A menu button: arrow keys move between items, Escape closes and returns focus. The list is
 * portalled to <body> and positioned `fixed` from the button's rectangle, so no scrolling,
 * clipping or transformed parent (the sliding sidebar) can cut it off or move it; it opens
 * upwards when there is no room below.
 */
export function Menu({
  label,
  items,
  trigger,
  align = "end",
}: {
  label: string;
  items: MenuItem[];
  trigger: ReactNode;
  align?: "start" | "end";
}) {
  const [position, setPosition] = useState<CSSProperties | null>(null);
  const open = position !== null;
  const buttonRef = useRef<HTMLButtonElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

  const place = () => {
    const rect = buttonRef.current?.getBoundingClientRect();
    if (!rect) return;
    const roomBelow = window.innerHeight - rect.bottom;
    const vertical =
      roomBelow < 48 * items.length + 16
        ? { bottom: window.innerHeight - rect.top + 4 }
        : { top: rect.bottom + 4 };
    const horizontal =
      align === "end"
        ? { right: Math.max(8, window.innerWidth - rect.right) }
        : { left: Math.max(8, rect.left) };
    setPosition({ position: "fixed", ...vertical, ...horizontal });
  };

  useEffect(() => {
    if (!open) return;
    listRef.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const onPointer = (event: PointerEvent) => {
      if (
        !listRef.current?.contains(event.target as Node) &&
        !buttonRef.current?.contains(event.target as Node)
      )
        setPosition(null);
    };
    // The list follows its button when the page or the sidebar scrolls.
    const onMove = (event: Event) => {
      if (!listRef.current?.contains(event.target as Node)) place();
    };
    document.addEventListener("pointerdown", onPointer);
    window.addEventListener("scroll", onMove, true);
    window.addEventListener("resize", onMove);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      window.removeEventListener("scroll", onMove, true);
      window.removeEventListener("resize", onMove);
    };
  }, [open]);

  const close = () => {
    setPosition(null);
    buttonRef.current?.focus();
  };

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? setPosition(null) : place())}
        className="inline-flex h-8 w-8 items-center justify-center rounded-md text-fg-soft hover:bg-muted hover:text-fg"
      >
        {trigger}
      </button>
      {open
        ? createPortal(
            <div
              ref={listRef}
              id={menuId}
              role="menu"
              aria-label={label}
              style={position}
              onKeyDown={(event) => {
                const elements = [
                  ...(listRef.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? []),
                ];
                const index = elements.indexOf(document.activeElement as HTMLElement);
                if (event.key === "Escape") {
                  event.preventDefault();
                  close();
                } else if (event.key === "ArrowDown") {
                  event.preventDefault();
                  elements[(index + 1) % elements.length]?.focus();
                } else if (event.key === "ArrowUp") {
                  event.preventDefault();
                  elements[(index - 1 + elements.length) % elements.length]?.focus();
                } else if (event.key === "Tab") {
                  setPosition(null);
                }
              }}
              className="z-50 min-w-44 rounded-lg border border-line bg-surface py-1 text-fg shadow-lg"
            >
              {items.map((item) => (
                <button
                  key={item.label}
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  onClick={() => {
                    close();
                    item.onSelect();
                  }}
                  className={cx(
                    "block w-full px-3 py-2 text-left text-sm hover:bg-muted focus:bg-muted",
                    item.danger && "text-danger",
                  )}
                >
                  {item.label}
                </button>
              ))}
            </div>,
            document.body,
          )
        : null}
    </>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span
      role="status"
      aria-label={label}
      className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-current border-t-transparent"
    />
  );
}

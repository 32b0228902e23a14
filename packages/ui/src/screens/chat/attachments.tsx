import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { trpc } from "../../api/client";
import { uploadErrorText } from "../../api/file-errors";
import {
  fetchFileBlob,
  FileRequestError,
  isAbort,
  uploadFile,
  type FileAuth,
  type UploadedFile,
} from "../../api/files";
import { CloseIcon, DownloadIcon, FileIcon } from "../../components/icons";
import { Alert, Button, cx, Dialog, IconButton, Spinner } from "../../components/ui";
import { formatBytes, useLanguage, useT } from "../../i18n";
import { downloadBlob } from "../../lib/download";
import { randomId } from "../../lib/ids";
import { usePlatform } from "../../lib/platform";
import { useSession } from "../../lib/session";

/** The server's limit of files per message (chatLimits.attachments). */
export const MAX_ATTACHMENTS = 10;

/** A file on its way into a message: uploading, stored (ready to send) or refused. */
export interface ComposerAttachment {
  key: string;
  name: string;
  size: number;
  type: string;
  /** A local object URL of the picked image, shown before (and while) it uploads. */
  previewUrl: string | null;
  status: "uploading" | "ready" | "failed";
  /** 0..1 of the bytes sent. */
  progress: number;
  error: unknown;
  file: UploadedFile | null;
}

/** The session's access token and refresh, for the file routes outside tRPC. */
export function useFileAuth(): FileAuth {
  const { apiBaseUrl } = usePlatform();
  const session = useSession();
  return useMemo(
    () => ({
      apiBaseUrl,
      getAccessToken: session.getAccessToken,
      refresh: () => session.refresh(),
      expire: session.expire,
    }),
    [apiBaseUrl, session],
  );
}

/** "PNG", "PDF", "MD"…: the extension people know a file by, else the type's subtype. */
export function typeLabel(name: string, mimeType: string): string {
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1) : "";
  if (ext && ext.length <= 5) return ext.toUpperCase();
  const subtype = mimeType.split("/")[1]?.split(/[;+.-]/)[0];
  return (subtype || "file").toUpperCase();
}

/**
 * The composer's attachments, one list per draft (so switching chats keeps each one's
 * files). Each file starts uploading as soon as it is added; removing one cancels its upload
 * or deletes what was stored.
 */
export function useComposerAttachments(draftKey: string) {
  const auth = useFileAuth();
  const utils = trpc.useUtils();
  const limits = trpc.files.list.useQuery({ limit: 1 }, { staleTime: 5 * 60_000 });
  const maxFileBytes = limits.data?.maxFileBytes || null;
  const [lists, setLists] = useState<Record<string, ComposerAttachment[]>>({});
  const [tooMany, setTooMany] = useState(false);
  const listsRef = useRef(lists);
  listsRef.current = lists;
  const controllers = useRef(new Map<string, AbortController>());

  const update = useCallback(
    (draft: string, key: string, patch: Partial<ComposerAttachment>) =>
      setLists((prev) => ({
        ...prev,
        [draft]: (prev[draft] ?? []).map((a) => (a.key === key ? { ...a, ...patch } : a)),
      })),
    [],
  );

  const add = useCallback(
    (files: File[]) => {
      if (files.length === 0) return;
      const draft = draftKey;
      const room = MAX_ATTACHMENTS - (listsRef.current[draft]?.length ?? 0);
      setTooMany(files.length > room);
      const added: ComposerAttachment[] = files.slice(0, Math.max(0, room)).map((file) => {
        const base: ComposerAttachment = {
          key: randomId(),
          name: file.name || "file",
          size: file.size,
          type: file.type,
          previewUrl: file.type.startsWith("image/") ? URL.createObjectURL(file) : null,
          status: "uploading",
          progress: 0,
          error: null,
          file: null,
        };
        // Refused before a byte is sent: the server would answer 413 the same way.
        if (maxFileBytes && file.size > maxFileBytes)
          return {
            ...base,
            status: "failed",
            error: new FileRequestError(413, { code: "too_large", limitBytes: maxFileBytes }),
          };
        const controller = new AbortController();
        controllers.current.set(base.key, controller);
        uploadFile(auth, file, {
          signal: controller.signal,
          onProgress: (progress) => update(draft, base.key, { progress }),
        })
          .then((uploaded) => {
            update(draft, base.key, { status: "ready", progress: 1, file: uploaded });
            void utils.files.list.invalidate();
          })
          .catch((error: unknown) => {
            if (!isAbort(error)) update(draft, base.key, { status: "failed", error });
          })
          .finally(() => controllers.current.delete(base.key));
        return base;
      });
      setLists((prev) => ({ ...prev, [draft]: [...(prev[draft] ?? []), ...added] }));
    },
    [auth, draftKey, maxFileBytes, update, utils],
  );

  const remove = useCallback(
    (key: string) => {
      const draft = draftKey;
      const item = listsRef.current[draft]?.find((a) => a.key === key);
      if (!item) return;
      controllers.current.get(key)?.abort();
      if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
      // Stored but no longer wanted: delete it now rather than leave it for the daily sweep.
      if (item.file)
        void utils.client.files.delete
          .mutate({ id: item.file.id })
          .then(() => utils.files.list.invalidate())
          .catch(() => {});
      setTooMany(false);
      setLists((prev) => ({
        ...prev,
        [draft]: (prev[draft] ?? []).filter((a) => a.key !== key),
      }));
    },
    [draftKey, utils],
  );

  /** After sending: the files now belong to the message, so nothing is deleted. */
  const clear = useCallback((draft: string) => {
    for (const item of listsRef.current[draft] ?? [])
      if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    setTooMany(false);
    setLists((prev) => {
      const next = { ...prev };
      delete next[draft];
      return next;
    });
  }, []);

  useEffect(
    () => () => {
      for (const controller of controllers.current.values()) controller.abort();
      for (const list of Object.values(listsRef.current))
        for (const item of list) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    },
    [],
  );

  const items = lists[draftKey] ?? [];
  return {
    items,
    add,
    remove,
    clear,
    tooMany,
    uploading: items.some((a) => a.status === "uploading"),
    readyIds: items.flatMap((a) => (a.status === "ready" && a.file ? [a.file.id] : [])),
  };
}

export type ComposerAttachments = ReturnType<typeof useComposerAttachments>;

/** The chips above the composer's text: thumbnail or icon, name, size and type, progress. */
export function ComposerAttachmentList({ attachments }: { attachments: ComposerAttachments }) {
  const t = useT();
  const language = useLanguage();
  if (attachments.items.length === 0 && !attachments.tooMany) return null;
  return (
    <div className="flex flex-col gap-2 px-1 pt-1">
      {attachments.items.length ? (
        <ul className="flex flex-wrap gap-2" aria-label={t("files.attachments")}>
          {attachments.items.map((item) => {
            const uploading = item.status === "uploading";
            const failed = item.status === "failed";
            return (
              <li
                key={item.key}
                data-testid="composer-attachment"
                data-status={item.status}
                className={cx(
                  "relative flex max-w-full flex-col gap-1 rounded-xl border bg-bg p-1.5 pr-9",
                  failed ? "w-full border-danger/60" : "w-60 border-line",
                )}
              >
                <div className="flex min-w-0 items-center gap-2">
                  {/* A refused "image" may be no image at all: no broken picture. */}
                  <FileThumb previewUrl={failed ? null : item.previewUrl} />
                  <div className="min-w-0 flex-1">
                    <p className="truncate text-sm" title={item.name}>
                      {item.name}
                    </p>
                    <p className="text-xs text-fg-soft">
                      {formatBytes(language, item.size)} · {typeLabel(item.name, item.type)}
                    </p>
                    {uploading ? (
                      <div
                        role="progressbar"
                        aria-label={t("files.uploading", { name: item.name })}
                        aria-valuemin={0}
                        aria-valuemax={100}
                        aria-valuenow={Math.round(item.progress * 100)}
                        className="mt-1 h-1 overflow-hidden rounded-full bg-muted"
                      >
                        <div
                          className="h-full rounded-full bg-accent-solid transition-[width]"
                          style={{ width: `${Math.round(item.progress * 100)}%` }}
                        />
                      </div>
                    ) : null}
                  </div>
                </div>
                {failed ? (
                  <p role="alert" className="text-xs text-danger">
                    {uploadErrorText(item.error, item.name, t, language)}
                  </p>
                ) : null}
                <IconButton
                  label={
                    uploading
                      ? t("files.cancelUpload", { name: item.name })
                      : t("files.remove", { name: item.name })
                  }
                  onClick={() => attachments.remove(item.key)}
                  className="absolute right-1 top-1 h-7 w-7"
                >
                  <CloseIcon width={14} height={14} />
                </IconButton>
              </li>
            );
          })}
        </ul>
      ) : null}
      {attachments.tooMany ? (
        <p role="alert" className="text-xs text-danger">
          {t("files.error.tooMany", { count: MAX_ATTACHMENTS })}
        </p>
      ) : null}
    </div>
  );
}

function FileThumb({ previewUrl }: { previewUrl: string | null }) {
  return previewUrl ? (
    <img src={previewUrl} alt="" className="h-10 w-10 shrink-0 rounded-lg object-cover" />
  ) : (
    <span className="flex h-10 w-10 shrink-0 items-center justify-center rounded-lg bg-muted text-fg-soft">
      <FileIcon />
    </span>
  );
}

/** One of the user's files as an object URL, fetched with the access token and cached by
 * React Query (cleared on sign-out); the URL is revoked when no longer shown. */
export function useFileObjectUrl(id: string, size: "thumb" | undefined, enabled = true) {
  const auth = useFileAuth();
  const query = useQuery({
    queryKey: ["parley-file", id, size ?? "original"],
    queryFn: ({ signal }) => fetchFileBlob(auth, id, { ...(size ? { size } : {}), signal }),
    enabled,
    staleTime: Infinity,
    gcTime: size ? 30 * 60_000 : 60_000,
    retry: (count, error) =>
      count < 2 && error instanceof FileRequestError && (error.status === 0 || error.status >= 500),
  });
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!query.data) {
      setUrl(null);
      return;
    }
    const objectUrl = URL.createObjectURL(query.data);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [query.data]);
  return { url, failed: query.isError };
}

const THUMB_BOX = 160;

function thumbBox(file: UploadedFile): { width: number; height: number } {
  if (!file.width || !file.height) return { width: THUMB_BOX, height: THUMB_BOX };
  const scale = Math.min(1, THUMB_BOX / Math.max(file.width, file.height));
  return {
    width: Math.max(48, Math.round(file.width * scale)),
    height: Math.max(48, Math.round(file.height * scale)),
  };
}

/** A sent message's files: images as thumbnails that open full size, others as chips that
 * download the file. */
export function MessageAttachments({
  attachments,
  alignEnd,
}: {
  attachments: UploadedFile[];
  alignEnd: boolean;
}) {
  const t = useT();
  const [viewing, setViewing] = useState<UploadedFile | null>(null);
  if (attachments.length === 0) return null;
  return (
    <>
      <ul
        className={cx("flex max-w-full flex-wrap gap-2", alignEnd && "justify-end")}
        aria-label={t("files.attachments")}
      >
        {attachments.map((file) => (
          <li key={file.id} data-testid="message-attachment" data-kind={file.kind}>
            {file.kind === "image" ? (
              <ImageThumb file={file} onOpen={() => setViewing(file)} />
            ) : (
              <FileChip file={file} />
            )}
          </li>
        ))}
      </ul>
      <ImageViewer file={viewing} onClose={() => setViewing(null)} />
    </>
  );
}

function ImageThumb({ file, onOpen }: { file: UploadedFile; onOpen: () => void }) {
  const t = useT();
  const { url, failed } = useFileObjectUrl(file.id, "thumb");
  const box = thumbBox(file);
  return (
    <button
      type="button"
      onClick={onOpen}
      aria-label={t("files.openImage", { name: file.name })}
      title={file.name}
      className="flex items-center justify-center overflow-hidden rounded-xl border border-line bg-muted text-fg-soft hover:opacity-90"
      style={{ width: box.width, height: box.height }}
    >
      {url ? (
        <img src={url} alt={file.name} className="h-full w-full object-cover" />
      ) : failed ? (
        <FileIcon />
      ) : (
        <Spinner label={t("files.imageLoading")} />
      )}
    </button>
  );
}

function FileChip({ file }: { file: UploadedFile }) {
  const t = useT();
  const language = useLanguage();
  const auth = useFileAuth();
  const [state, setState] = useState<"idle" | "busy" | "failed">("idle");
  const download = () => {
    setState("busy");
    fetchFileBlob(auth, file.id)
      .then((blob) => {
        downloadBlob(file.name, blob);
        setState("idle");
      })
      .catch(() => setState("failed"));
  };
  return (
    <div className="flex flex-col gap-1">
      <button
        type="button"
        onClick={download}
        disabled={state === "busy"}
        aria-label={t("files.download", { name: file.name })}
        className="flex w-60 max-w-full items-center gap-2 rounded-xl border border-line bg-surface p-1.5 text-left hover:bg-muted"
      >
        <FileThumb previewUrl={null} />
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm">{file.name}</span>
          <span className="block text-xs text-fg-soft">
            {formatBytes(language, file.size)} · {typeLabel(file.name, file.mimeType)}
          </span>
        </span>
        <DownloadIcon width={15} height={15} className="mr-1 shrink-0 text-fg-soft" />
      </button>
      {state === "failed" ? (
        <p role="alert" className="text-xs text-danger">
          {t("files.downloadFailed")}
        </p>
      ) : null}
    </div>
  );
}

/** The picture full size, in a dialog (Escape or Close returns to the chat). */
export function ImageViewer({ file, onClose }: { file: UploadedFile | null; onClose: () => void }) {
  const t = useT();
  const language = useLanguage();
  const { url, failed } = useFileObjectUrl(file?.id ?? "", undefined, Boolean(file));
  return (
    <Dialog open={Boolean(file)} onClose={onClose} title={file?.name ?? ""} wide>
      {file ? (
        <>
          <div className="flex min-h-40 items-center justify-center">
            {url ? (
              <img
                src={url}
                alt={file.name}
                data-testid="image-viewer"
                className="max-h-[70vh] max-w-full rounded-lg object-contain"
              />
            ) : failed ? (
              <Alert>{t("files.imageFailed")}</Alert>
            ) : (
              <Spinner label={t("files.imageLoading")} />
            )}
          </div>
          <div className="flex flex-wrap items-center justify-end gap-2">
            <span className="mr-auto text-xs text-fg-soft">
              {formatBytes(language, file.size)} · {typeLabel(file.name, file.mimeType)}
              {file.width && file.height ? ` · ${file.width}×${file.height}` : ""}
            </span>
            {url ? (
              <Button size="sm" onClick={() => downloadWithName(url, file.name)}>
                <DownloadIcon width={15} height={15} />
                {t("files.downloadButton")}
              </Button>
            ) : null}
            <Button size="sm" variant="primary" onClick={onClose} autoFocus>
              {t("common.close")}
            </Button>
          </div>
        </>
      ) : null}
    </Dialog>
  );
}

function downloadWithName(url: string, name: string): void {
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

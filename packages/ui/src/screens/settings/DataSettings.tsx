import { useId, useRef, useState } from "react";
import { FileRequestError } from "../../api/files";
import { fetchAccountArchive, importHistoryFile, type ImportResult } from "../../api/portability";
import { trpc } from "../../api/client";
import { Alert, Button } from "../../components/ui";
import { useT, type Translate } from "../../i18n";
import { downloadBlob } from "../../lib/download";
import { useFileAuth } from "../chat/attachments";

function failure(error: unknown, t: Translate): string {
  if (error instanceof FileRequestError) {
    if (error.status === 0) return t("errors.unreachable");
    if (error.status === 413) return t("data.tooLarge");
    if (error.status >= 500) return t("errors.server");
    if (error.body?.error) return error.body.error;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Bringing conversations in (ChatGPT or Parley exports) and taking everything out. */
export function DataSettings() {
  const t = useT();
  const auth = useFileAuth();
  const utils = trpc.useUtils();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [importing, setImporting] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const importFile = async (file: File) => {
    setImporting(true);
    setResult(null);
    setImportError(null);
    try {
      setResult(await importHistoryFile(auth, file));
      void utils.chat.conversations.list.invalidate();
      // A Parley export brings its folders and presets along.
      void utils.folders.list.invalidate();
      void utils.presets.list.invalidate();
    } catch (error) {
      setImportError(failure(error, t));
    } finally {
      setImporting(false);
      if (input.current) input.current.value = "";
    }
  };

  const exportAll = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const archive = await fetchAccountArchive(auth);
      downloadBlob(archive.name, archive.blob);
    } catch (error) {
      setExportError(failure(error, t));
    } finally {
      setExporting(false);
    }
  };

  return (
    <div className="flex flex-col gap-8">
      <section className="flex flex-col gap-3" aria-labelledby={`${inputId}-import`}>
        <h2 id={`${inputId}-import`} className="font-medium">
          {t("data.importTitle")}
        </h2>
        <p className="text-sm text-fg-soft">{t("data.importHint")}</p>
        <div>
          <label htmlFor={inputId} className="sr-only">
            {t("data.importFile")}
          </label>
          <input
            ref={input}
            id={inputId}
            type="file"
            accept=".json,application/json"
            className="sr-only"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void importFile(file);
            }}
          />
          <Button disabled={importing} onClick={() => input.current?.click()}>
            {importing ? t("data.importing") : t("data.importFile")}
          </Button>
        </div>
        {importError ? <Alert>{importError}</Alert> : null}
        {result ? (
          <Alert tone="success">
            <p>
              {t("data.imported", {
                conversations: result.conversations,
                messages: result.messages,
              })}
            </p>
            {result.warnings.length ? (
              <ul className="mt-2 list-disc pl-5 text-fg">
                {result.warnings.map((warning) => (
                  <li key={warning}>{warning}</li>
                ))}
              </ul>
            ) : null}
          </Alert>
        ) : null}
      </section>
      <section className="flex flex-col gap-3" aria-labelledby={`${inputId}-export`}>
        <h2 id={`${inputId}-export`} className="font-medium">
          {t("data.exportTitle")}
        </h2>
        <p className="text-sm text-fg-soft">{t("data.exportHint")}</p>
        <div>
          <Button disabled={exporting} onClick={() => void exportAll()}>
            {exporting ? t("data.exporting") : t("data.exportAll")}
          </Button>
        </div>
        {exportError ? <Alert>{exportError}</Alert> : null}
      </section>
    </div>
  );
}

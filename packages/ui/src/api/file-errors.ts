import { formatBytes, type Translate } from "../i18n";
import type { Language } from "../store/prefsSlice";
import { FileRequestError } from "./files";

/**
 * What to tell a person about a file that was not uploaded, in their language, from the
 * refusal code the server sends (apps/api/src/files-routes.ts); an unknown refusal keeps
 * the server's own sentence.
 */
export function uploadErrorText(
  error: unknown,
  name: string,
  t: Translate,
  language: Language,
): string {
  if (!(error instanceof FileRequestError))
    return t("files.error.failed", { name, reason: error instanceof Error ? error.message : "" });
  const body = error.body;
  if (error.status === 0) return t("files.error.network", { name });
  switch (body?.code) {
    case "too_large":
      return t("files.error.tooLarge", {
        name,
        limit: formatBytes(language, body.limitBytes ?? 0),
      });
    case "quota_exceeded":
      return body.leftBytes
        ? t("files.error.quota", { name, left: formatBytes(language, body.leftBytes) })
        : t("files.error.quotaFull", { name });
    case "unsupported_type":
      return t("files.error.type", { name });
    case "type_mismatch":
      return t("files.error.mismatch", { name });
    case "unreadable":
      return t("files.error.unreadable", { name });
    case "unavailable":
      return t("files.error.unavailable");
  }
  if (error.status >= 500 && !body?.error) return t("errors.server");
  return t("files.error.failed", { name, reason: body?.error ?? error.message });
}

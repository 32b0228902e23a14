import type { Translate } from "../i18n";

/** The title the server gives a conversation until it is named (packages/db DEFAULT_TITLE). */
export const SERVER_DEFAULT_TITLE = "New chat";

/** A conversation's title for display: the server's placeholder is shown in the UI language. */
export function displayTitle(title: string | null | undefined, t: Translate): string {
  return !title || title === SERVER_DEFAULT_TITLE ? t("sidebar.untitled") : title;
}

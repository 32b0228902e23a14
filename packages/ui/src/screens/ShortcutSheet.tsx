import { Button, Dialog } from "../components/ui";
import { useT, type MessageKey } from "../i18n";
import { comboKeys, SHORTCUTS, type KeyCombo } from "../lib/shortcuts";
import { Keys } from "./CommandPalette";

/** The composer's own keys, listed with the app's shortcuts. */
const COMPOSER_KEYS: Array<{ label: MessageKey; combos: KeyCombo[] }> = [
  { label: "shortcuts.send", combos: [{ key: "Enter" }] },
  { label: "shortcuts.newLine", combos: [{ shift: true, key: "Enter" }] },
];

/** Every keyboard shortcut, with the keys this platform uses (Ctrl, or ⌘ on a Mac). */
export function ShortcutSheet({ open, onClose }: { open: boolean; onClose(): void }) {
  const t = useT();
  const rows = [...SHORTCUTS, ...COMPOSER_KEYS];
  return (
    <Dialog open={open} onClose={onClose} title={t("shortcuts.title")}>
      <dl className="flex flex-col divide-y divide-line text-sm" data-testid="shortcut-sheet">
        {rows.map((row) => (
          <div key={row.label} className="flex items-center justify-between gap-3 py-2">
            <dt>{t(row.label)}</dt>
            <dd className="flex flex-wrap items-center justify-end gap-2">
              {row.combos.map((combo, i) => (
                <span key={i} className="flex items-center gap-2">
                  {i > 0 ? <span className="text-xs text-fg-soft">{t("shortcuts.or")}</span> : null}
                  <Keys keys={comboKeys(combo)} />
                </span>
              ))}
            </dd>
          </div>
        ))}
      </dl>
      <div className="flex justify-end">
        <Button onClick={onClose}>{t("shortcuts.close")}</Button>
      </div>
    </Dialog>
  );
}

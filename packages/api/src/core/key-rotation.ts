import { sealed as q, type Database } from "@parley/db";
import { rewrapDataKey, rewrapSecret, wrappingKeyId, type KeyRing } from "./crypto";
import { fileKeyContext } from "./files";
import { providerKeyContext } from "./provider-keys";

/** One encrypted column: how to page through it and store a row re-wrapped. */
interface SealedColumn {
  name: string;
  page: (db: Database, after: string | null, limit: number) => Promise<q.SealedRow[]>;
  rewrap: (ring: KeyRing, row: q.SealedRow) => string;
  save: (db: Database, row: q.SealedRow, value: string, keyId: string) => Promise<void>;
}

/**
 * The registry of everything sealed with the key module. The OIDC client secret and the
 * environment's OPENAI_API_KEY come from the environment and are never stored; refresh
 * tokens, API keys, recovery and invitation codes are stored only as hashes.
 */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    name: "files.wrapped_key",
    page: q.fileKeysPage,
    rewrap: (ring, row) => rewrapDataKey(ring, row.sealed, fileKeyContext(row)),
    save: (db, row, value, keyId) => q.setFileKey(db, row, value, keyId),
  },
  {
    name: "totp_credentials.secret_sealed",
    page: q.totpSecretsPage,
    rewrap: (ring, row) => rewrapSecret(ring, row.sealed, `totp:${row.userId}`),
    save: (db, row, value) => q.setTotpSecret(db, row, value),
  },
  {
    name: "providers.api_key_sealed",
    page: q.providerKeysPage,
    rewrap: (ring, row) => rewrapSecret(ring, row.sealed, providerKeyContext(row.id)),
    save: (db, row, value) => q.setProviderKey(db, row, value),
  },
];

export interface RotationReport {
  column: string;
  rewrapped: number;
  alreadyCurrent: number;
}

/**
 * Re-wraps every sealed value under the ring's current key (ENCRYPTION_KEY); old values
 * open with ENCRYPTION_KEY_PREVIOUS. Only the 32-byte data keys change: files are not
 * re-encrypted. Safe to run again: values already under the current key are skipped.
 */
export async function rotateKeys(db: Database, ring: KeyRing, pageSize = 200) {
  const reports: RotationReport[] = [];
  for (const column of SEALED_COLUMNS) {
    const report = { column: column.name, rewrapped: 0, alreadyCurrent: 0 };
    let after: string | null = null;
    for (;;) {
      const rows = await column.page(db, after, pageSize);
      for (const row of rows) {
        if (wrappingKeyId(row.sealed) === ring.currentKeyId) {
          report.alreadyCurrent++;
          continue;
        }
        await column.save(db, row, column.rewrap(ring, row), ring.currentKeyId);
        report.rewrapped++;
      }
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1]!.key;
    }
    reports.push(report);
  }
  return reports;
}

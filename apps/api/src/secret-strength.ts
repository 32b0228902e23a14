import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Parts of well-known placeholder values ("change-me", "your-secret-here", ...). Five
 * letters or more, so a random secret contains one by chance about once in a million. */
const KNOWN_WORDS = [
  "change",
  "secret",
  "password",
  "passwd",
  "default",
  "example",
  "sample",
  "parley",
  "replace",
  "qwerty",
  "letmein",
  "admin",
  "token",
  "12345",
  "abcde",
];

/** Shannon entropy of the value's own character distribution, in bits for the whole value:
 * 32 random hex digits give about 120, `openssl rand -base64 48` about 350. */
function estimatedBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * value.length;
}

export const MIN_SECRET_BITS = 90;

/**
 * Why a secret could be guessed, or null. Each reason says what to do instead; together
 * they refuse the values a security review tried: 32 × "a", "change-me-…", 40 spaces.
 */
export function guessableSecretReason(value: string): string | null {
  const hint = "make one with: openssl rand -base64 48";
  if (/\s/.test(value)) return `contains whitespace (a copy-paste slip or a placeholder); ${hint}`;
  if (/^(.{1,16}?)\1+$/s.test(value))
    return `is one short pattern repeated ("${value.slice(0, 3)}…"); ${hint}`;
  const lower = value.toLowerCase();
  const word = KNOWN_WORDS.find((w) => lower.includes(w));
  if (word) return `contains the well-known word "${word}", as placeholders do; ${hint}`;
  if (new Set(value).size < 8)
    return `uses only ${new Set(value).size} distinct characters; ${hint}`;
  const bits = Math.round(estimatedBits(value));
  if (bits < MIN_SECRET_BITS)
    return `is too predictable (about ${bits} bits of entropy, at least ${MIN_SECRET_BITS} needed); ${hint}`;
  return null;
}

const SKIPPED_DIRS = new Set(["node_modules", ".git", ".data", "dist", "out", "test-results"]);
/** .env and .env.local hold the real secret on purpose; .env.example is public. */
const PRIVATE_FILE = /^\.env(\.(?!example$)[\w-]+)?$/;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The first file under `root` (the source tree) whose text contains `secret`: a value copied
 * from the README, a test or an example is known to everyone who can read the repository.
 */
export function fileContaining(
  root: string,
  secret: string,
  skip: string[] = [],
): string | undefined {
  const skipped = new Set(skip.map((p) => path.resolve(p)));
  const walk = (dir: string): string | undefined => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (skipped.has(full)) continue;
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name)) continue;
        const found = walk(full);
        if (found) return found;
      } else if (entry.isFile() && !PRIVATE_FILE.test(entry.name)) {
        try {
          if (statSync(full).size > MAX_FILE_BYTES) continue;
          if (readFileSync(full, "latin1").includes(secret)) return full;
        } catch {
          // Unreadable files cannot leak the secret to readers either.
        }
      }
    }
    return undefined;
  };
  return walk(path.resolve(root));
}

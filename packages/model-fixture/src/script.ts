/**
 * What one chat completion request does. Chosen, in order of precedence, by a marker in the
 * last user message (`[[fixture words=40 delay=20 fail=mid after=10]]`), by the next script
 * in the fixture's queue, or by the fixture's defaults.
 */
export interface FixtureScript {
  /** The full reply. When absent: `words` generated words, or else an echo of the prompt. */
  reply?: string;
  /** Generate a reply of this many numbered words ("w1 w2 w3 ..."). */
  words?: number;
  /** Delay before the response (headers and first token), in milliseconds. */
  ttftMs?: number;
  /** Delay between chunks, in milliseconds. */
  chunkDelayMs?: number;
  /**
   * How the request fails:
   * - `mid`: the connection drops after `failAfterChunks` chunks;
   * - `500` / `429` / `401`: an HTTP error before the first token;
   * - `hang`: no response at all until the client gives up;
   * - `hang-mid`: sends `failAfterChunks` chunks, then goes silent.
   */
  fail?: FixtureFailure;
  /** Chunks sent before a `mid` or `hang-mid` failure (default: half the reply). */
  failAfterChunks?: number;
  /** `none`: report no token usage, as some local servers do. */
  usage?: "none";
}

export type FixtureFailure = "mid" | "500" | "429" | "401" | "hang" | "hang-mid";

const failures = new Set<FixtureFailure>(["mid", "500", "429", "401", "hang", "hang-mid"]);

const markerPattern = /\[\[fixture([^\]]*)\]\]/;

/** Reads `[[fixture key=value ...]]` from a message; null when there is none. */
export function parseMarker(text: string): FixtureScript | null {
  const match = markerPattern.exec(text);
  if (!match) return null;
  const script: FixtureScript = {};
  for (const pair of (match[1] ?? "").trim().split(/\s+/).filter(Boolean)) {
    const [key, raw = ""] = pair.split("=", 2);
    const value = decodeURIComponent(raw);
    switch (key) {
      case "words":
        script.words = nonNegativeInt(key, value);
        break;
      case "ttft":
        script.ttftMs = nonNegativeInt(key, value);
        break;
      case "delay":
        script.chunkDelayMs = nonNegativeInt(key, value);
        break;
      case "after":
        script.failAfterChunks = nonNegativeInt(key, value);
        break;
      case "reply":
        script.reply = value;
        break;
      case "usage":
        if (value !== "none") throw new Error(`fixture marker: unknown usage=${value}`);
        script.usage = value;
        break;
      case "fail":
        if (!failures.has(value as FixtureFailure))
          throw new Error(`fixture marker: unknown fail=${value}`);
        script.fail = value as FixtureFailure;
        break;
      default:
        throw new Error(`fixture marker: unknown key ${key}`);
    }
  }
  return script;
}

/** The message text without fixture markers, so echoes stay readable. */
export function stripMarkers(text: string): string {
  return text.replace(new RegExp(markerPattern.source, "g"), "").trim();
}

function nonNegativeInt(key: string | undefined, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`fixture marker: ${key} must be a whole number`);
  return n;
}

/** Splits a reply into stream chunks: one word with its trailing space each. */
export function toChunks(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** "w1 w2 ... wN": predictable text whose every chunk is distinct. */
export function numberedWords(count: number): string {
  return Array.from({ length: count }, (_, i) => `w${i + 1}`).join(" ");
}

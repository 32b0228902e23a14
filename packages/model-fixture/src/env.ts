/** What the stand-alone fixture (main.ts) reads from its environment. */
export function loadFixtureEnv(source: Record<string, string | undefined> = process.env) {
  const number = (name: string) => (source[name] ? Number(source[name]) : undefined);
  return {
    port: number("PORT") ?? 0,
    host: source.HOST ?? "127.0.0.1",
    models: source.FIXTURE_MODELS?.split(",")
      .map((m) => m.trim())
      .filter(Boolean),
    defaults: {
      ttftMs: number("FIXTURE_TTFT_MS"),
      chunkDelayMs: number("FIXTURE_CHUNK_DELAY_MS"),
      words: number("FIXTURE_WORDS"),
    },
  };
}

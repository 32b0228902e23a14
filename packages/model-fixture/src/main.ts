import { loadFixtureEnv } from "./env";
import { startModelFixture } from "./server";

/**
 * Runs the fixture on its own, for the benchmark or a manual session:
 *   PORT=0 FIXTURE_TTFT_MS=200 FIXTURE_CHUNK_DELAY_MS=20 node --import tsx packages/model-fixture/src/main.ts
 * Then point the API at it with OPENAI_BASE_URL=<printed url> OPENAI_API_KEY=fixture.
 */
const fixture = await startModelFixture(loadFixtureEnv());
console.log(`listening on http://localhost:${fixture.port} (OPENAI_BASE_URL=${fixture.baseUrl})`);

const stop = () => void fixture.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

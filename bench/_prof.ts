import { createBenchDatabase, startBenchApi, startModelFixture } from "./lib/environment";
import { load } from "./lib/load";
import { seedBenchData, signIn } from "./scenarios/data";
import { queryUrl } from "./lib/trpc";
const database = await createBenchDatabase();
const fixture = await startModelFixture(100);
const data = await seedBenchData(database);
const api = await startBenchApi(database, fixture);
const token = await signIn(api.url, data.reader);
const proc = process.env.PROC ?? "auth.me";
const input = process.env.INPUT
  ? JSON.parse(process.env.INPUT.replace("HISTORY", data.readerHistoryId))
  : undefined;
const r = await load({
  name: proc,
  url: queryUrl(api.url, proc, input),
  headers: { authorization: `Bearer ${token}` },
  connections: 100,
  durationSeconds: 8,
});
console.log(r);
console.log(await api.stats());
await api.stop();
await fixture.stop();
await database.drop();

export { startModelFixture } from "./server";
export type { ChatMessageIn, FixtureCall, ModelFixture, ModelFixtureOptions } from "./server";
export { numberedWords, parseMarker, stripMarkers, toChunks } from "./script";
export type { FixtureFailure, FixtureScript } from "./script";

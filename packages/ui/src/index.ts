export type { PlatformBridge } from "./platform";
export { ParleyApp } from "./app/ParleyApp";

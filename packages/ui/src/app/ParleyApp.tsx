import type { JSX } from "react";
import type { PlatformBridge } from "../platform";

/** The whole application; the host only supplies the platform bridge. */
export function ParleyApp(props: { platform: PlatformBridge }): JSX.Element {
  return <div data-platform={props.platform.kind}>Parley</div>;
}

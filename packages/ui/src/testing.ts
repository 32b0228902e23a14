// What the web app's browser tests use of the UI's insides: the session machinery (to drive a
// desktop-style sign-in without a window) and the XSS corpus the Markdown renderer is held to.
export { createAuthClient, createLinks } from "./api/client";
export { SessionManager } from "./api/session";
export type { PlatformBridge } from "./platform";
export { createStore } from "./store";
export { memoryStorage } from "./store/persistence";
export { FORBIDDEN_ELEMENTS, XSS_CORPUS } from "./markdown/xss-corpus";

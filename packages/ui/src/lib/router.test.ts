import { describe, expect, it } from "vitest";
import { parseRoute, routePath, type Route } from "./router";

describe("routes", () => {
  it.each<[string, Route]>([
    ["/", { name: "chat", conversationId: null }],
    ["/c/abc-123", { name: "chat", conversationId: "abc-123" }],
    ["/c/abc?x=1#y", { name: "chat", conversationId: "abc" }],
    ["/settings", { name: "settings", tab: "profile" }],
    ["/settings/apiKeys", { name: "settings", tab: "apiKeys" }],
    ["/settings/files", { name: "settings", tab: "files" }],
    ["/settings/nonsense", { name: "settings", tab: "profile" }],
    ["/admin", { name: "admin" }],
    ["/whatever", { name: "chat", conversationId: null }],
  ])("%s", (path, route) => {
    expect(parseRoute(path)).toEqual(route);
    expect(parseRoute(routePath(route))).toEqual(route);
  });
});

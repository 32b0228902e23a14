import { describe, expect, it } from "vitest";
import { isUnencryptedConnection } from "./transport";

describe("isUnencryptedConnection", () => {
  it("flags plain HTTP to another machine", () => {
    for (const url of [
      "http://192.168.1.20:3000/",
      "http://chat.example.com/c/1",
      "http://10.0.0.5",
      "http://[fe80::1]:3000",
    ])
      expect(isUnencryptedConnection(url), url).toBe(true);
  });

  it("accepts HTTPS anywhere and plain HTTP to this machine", () => {
    for (const url of [
      "https://chat.example.com",
      "https://192.168.1.20",
      "http://localhost:3000",
      "http://app.localhost:5173",
      "http://127.0.0.1:3000",
      "http://127.4.5.6",
      "http://[::1]:3000",
      "app://parley/index.html",
      "not a url",
    ])
      expect(isUnencryptedConnection(url), url).toBe(false);
  });
});

import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { usesCookieLink } from "./client";
import { fieldErrors, shouldRetryQuery } from "./errors";

const fromServer = (message: string, data: object) =>
  TRPCClientError.from({ error: { message, code: -32600, data } } as never);

describe("fieldErrors", () => {
  it("puts zod issues beside their fields", () => {
    const error = fromServer("invalid", {
      code: "BAD_REQUEST",
      zodError: {
        formErrors: [],
        fieldErrors: { email: ["Enter a valid email address"], password: ["Too short", "Weak"] },
      },
    });
    expect(fieldErrors(error)).toEqual({
      fields: { email: "Enter a valid email address", password: "Too short" },
      form: null,
    });
  });

  it("uses a domain error's field (a taken email) and otherwise shows a form message", () => {
    expect(
      fieldErrors(
        fromServer("email already in use", { code: "CONFLICT", details: { field: "email" } }),
      ).fields,
    ).toEqual({
      email: "email already in use",
    });
    expect(
      fieldErrors(fromServer("Invalid username or password", { code: "UNAUTHORIZED" })),
    ).toEqual({
      fields: {},
      form: "Invalid username or password",
    });
    expect(fieldErrors(null)).toEqual({ fields: {}, form: null });
  });
});

describe("query retries", () => {
  it("never repeats answers a retry cannot change, retries the rest twice", () => {
    for (const code of ["UNAUTHORIZED", "FORBIDDEN", "BAD_REQUEST", "NOT_FOUND"]) {
      expect(shouldRetryQuery(0, fromServer(code, { code }))).toBe(false);
    }
    const down = fromServer("bad gateway", { code: "INTERNAL_SERVER_ERROR" });
    expect(shouldRetryQuery(0, down)).toBe(true);
    expect(shouldRetryQuery(1, down)).toBe(true);
    expect(shouldRetryQuery(2, down)).toBe(false);
  });
});

describe("link choice", () => {
  it("sends cookie-setting procedures through the plain httpLink, the rest batched", () => {
    for (const path of [
      "auth.login",
      "auth.register",
      "auth.refresh",
      "auth.logout",
      "user.delete",
      "auth.sessions.revoke",
    ]) {
      expect(usesCookieLink(path)).toBe(true);
    }
    for (const path of [
      "auth.me",
      "auth.sessions.list",
      "auth.apiKeys.create",
      "chat.send",
      "health.ping",
    ]) {
      expect(usesCookieLink(path)).toBe(false);
    }
  });
});

import { chat, UniqueViolationError } from "@parley/db";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { DomainError, toDomainError, toTRPCError } from "./errors";

describe("toDomainError", () => {
  it("keeps a DomainError as it is", () => {
    const error = new DomainError("NOT_FOUND", "Conversation not found", { field: "id" });
    expect(toDomainError(error)).toBe(error);
  });

  it("turns a unique violation into CONFLICT naming the first column as the field", () => {
    const converted = toDomainError(new UniqueViolationError(["email"]));
    expect(converted).toMatchObject({
      code: "CONFLICT",
      message: "email already in use",
      details: { field: "email", fields: ["email"] },
    });
  });

  it("turns a broken message-tree rule into its own code", () => {
    const rule = new chat.ChatRuleError("BAD_REQUEST", "Not a reply", { field: "messageId" });
    expect(toDomainError(rule)).toMatchObject({
      code: "BAD_REQUEST",
      message: "Not a reply",
      details: { field: "messageId" },
    });
  });

  it("answers SERVICE_UNAVAILABLE for a database nobody answers on", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
    });
    expect(toDomainError(refused)?.code).toBe("SERVICE_UNAVAILABLE");
  });

  it("goes by class, not by a code string any error may carry", () => {
    const lookalike = Object.assign(new Error("internal detail"), { code: "CONFLICT" });
    expect(toDomainError(lookalike)).toBeNull();
    expect(toDomainError(new Error("a bug"))).toBeNull();
    expect(toDomainError("not even an error")).toBeNull();
  });
});

describe("toTRPCError", () => {
  it("unwraps what tRPC wrapped and keeps the DomainError as the cause", () => {
    const domain = new DomainError("FORBIDDEN", "Admins only");
    const wrapped = new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: domain });
    const converted = toTRPCError(wrapped);
    expect(converted).toBeInstanceOf(TRPCError);
    expect(converted).toMatchObject({ code: "FORBIDDEN", message: "Admins only", cause: domain });
  });

  it("leaves errors a procedure raised as TRPCErrors, and unexpected ones, alone", () => {
    expect(toTRPCError(new TRPCError({ code: "UNAUTHORIZED" }))).toBeNull();
    const bug = new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new Error("a bug") });
    expect(toTRPCError(bug)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssues, NUL_MESSAGE, SURROGATE_MESSAGE, text, timestamp } from "./input";

describe("text()", () => {
  it("refuses NUL bytes and unpaired surrogates, and nothing else", () => {
    const schema = text();
    expect(schema.safeParse("a\u0000b").error?.issues[0]?.message).toBe(NUL_MESSAGE);
    expect(schema.safeParse("a\uD800").error?.issues[0]?.message).toBe(SURROGATE_MESSAGE);
    expect(schema.safeParse("\uDFFFa").error?.issues[0]?.message).toBe(SURROGATE_MESSAGE);
    expect(schema.safeParse("\uDC00\uD800").success).toBe(false);
    for (const fine of ["", "plain", "🚀 rocket", "tab\tand\nnewline", "\u007f\u0001", "日本語"])
      expect(schema.safeParse(fine).success, JSON.stringify(fine)).toBe(true);
  });

  it("keeps its checks through chained rules", () => {
    const schema = text().trim().min(1).max(10).optional();
    expect(schema.safeParse(" ok ").data).toBe("ok");
    expect(schema.safeParse("x\u0000").success).toBe(false);
  });

  it("describes a refusal in one sentence naming the field", () => {
    const schema = z.object({ title: text(), nested: z.object({ at: timestamp() }) });
    const refused = schema.safeParse({ title: "\u0000", nested: { at: new Date(8.64e15) } });
    expect(describeIssues(refused.error!)).toBe(`title: ${NUL_MESSAGE} (and 1 more)`);
  });
});

describe("timestamp()", () => {
  it("accepts the dates Parley stores and refuses those Postgres cannot hold", () => {
    expect(timestamp().safeParse(new Date()).success).toBe(true);
    expect(timestamp().safeParse(new Date(999_999_999_999_999)).success).toBe(false);
    expect(timestamp().safeParse(new Date(-1)).success).toBe(false);
    expect(timestamp().safeParse(new Date(NaN)).success).toBe(false);
  });
});

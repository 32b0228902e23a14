import { describe, expect, it } from "vitest";
import {
  countMessageTokens,
  countPromptTokens,
  countTextTokens,
  IMAGE_PART_TOKENS,
} from "./tokenizer";

describe("tokenizer", () => {
  it("counts real tokens, not characters divided by four", () => {
    // o200k_base: "Hello" " world" "!" are three tokens; a four-characters rule says 3 too,
    // so also check text where the two disagree.
    expect(countTextTokens("Hello world!")).toBe(3);
    expect(countTextTokens("")).toBe(0);
    const repeated = "internationalization ".repeat(100);
    expect(countTextTokens(repeated)).toBeLessThan(repeated.length / 8);
    expect(countTextTokens("日本語のテキスト")).toBeGreaterThan(2);
  });

  it("adds OpenAI's per-message framing and counts image parts", () => {
    const text = countMessageTokens({ role: "user", content: "Hello world!" });
    expect(text).toBe(3 + countTextTokens("user") + 3);
    const withImage = countMessageTokens({
      role: "user",
      content: [{ type: "text", text: "Hello world!" }, { type: "image_url" }],
    });
    expect(withImage).toBe(text + IMAGE_PART_TOKENS);
    expect(
      countPromptTokens([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello world!" },
      ]),
    ).toBe(3 + countMessageTokens({ role: "system", content: "Be brief." }) + text);
  });
});

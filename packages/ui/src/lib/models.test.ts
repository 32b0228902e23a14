import { describe, expect, it } from "vitest";
import { displayModel } from "./models";

describe("displayModel", () => {
  it("shows a provider's model by its own id, and leaves other ids as they are", () => {
    expect(displayModel("0b6f5a52-3f0e-4d7e-9a51-1f2e3d4c5b6a/llama3.2")).toBe("llama3.2");
    // A model id with a slash of its own (OpenRouter's) keeps it.
    expect(displayModel("0b6f5a52-3f0e-4d7e-9a51-1f2e3d4c5b6a/openai/gpt-4o")).toBe(
      "openai/gpt-4o",
    );
    expect(displayModel("openai/gpt-4o")).toBe("openai/gpt-4o");
    expect(displayModel("fixture-small")).toBe("fixture-small");
  });
});

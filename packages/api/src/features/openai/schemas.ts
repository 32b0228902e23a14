import { z } from "zod";
import { text as textInput } from "../../core/input";

/** Limits of one /v1 request; the HTTP body limit (OPENAI_BODY_LIMIT_BYTES) comes first. */
export const openaiLimits = {
  messages: 1_000,
  /** Characters of one text (a message or a part). */
  text: 1_000_000,
  /** Characters of an image URL: a data: URL of a few megabytes fits. */
  imageUrl: 12_000_000,
  parts: 100,
  model: 200,
  stop: 4,
  stopLength: 200,
};

const text = textInput().max(openaiLimits.text, `At most ${openaiLimits.text} characters`);
const name = textInput().max(64).optional();

const textPart = z.strictObject({ type: z.literal("text"), text });
const imagePart = z.strictObject({
  type: z.literal("image_url"),
  image_url: z.strictObject({
    url: textInput()
      .max(openaiLimits.imageUrl, "The image is too large")
      .refine(
        (url) => /^(https?:\/\/|data:image\/[\w.+-]+;base64,)/i.test(url),
        "Give the image as an http(s) URL or a base64 data: URL",
      ),
    detail: z.enum(["auto", "low", "high"]).optional(),
  }),
});

const textContent = z.union([
  text,
  z.array(textPart).min(1, "Give at least one part").max(openaiLimits.parts),
]);
const userContent = z.union([
  text,
  z
    .array(z.discriminatedUnion("type", [textPart, imagePart]))
    .min(1, "Give at least one part")
    .max(openaiLimits.parts),
]);

const message = z.discriminatedUnion(
  "role",
  [
    z.strictObject({ role: z.literal("system"), content: textContent, name }),
    z.strictObject({ role: z.literal("developer"), content: textContent, name }),
    z.strictObject({ role: z.literal("user"), content: userContent, name }),
    z.strictObject({
      role: z.literal("assistant"),
      content: textContent.nullish(),
      name,
      refusal: textInput().nullish(),
    }),
  ],
  "role must be system, developer, user or assistant (tools are not supported)",
);

const maxTokens = z
  .int("Use a whole number of tokens")
  .min(1, "At least 1 token")
  .max(1_000_000, "At most 1,000,000 tokens");

/**
 * POST /v1/chat/completions as OpenAI documents it, for what Parley forwards. Fields it does
 * not support (tools, n > 1, logprobs, ...) are refused by name rather than dropped, so a
 * client never believes an option took effect when it did not.
 */
export const chatCompletionRequest = z.strictObject({
  model: textInput().min(1, "Name a model").max(openaiLimits.model),
  messages: z.array(message).min(1, "Give at least one message").max(openaiLimits.messages),
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0, "At least 0").max(2, "At most 2").nullish(),
  top_p: z.number().min(0, "At least 0").max(1, "At most 1").nullish(),
  max_tokens: maxTokens.nullish(),
  max_completion_tokens: maxTokens.nullish(),
  stop: z
    .union([
      textInput().max(openaiLimits.stopLength),
      z.array(textInput().max(openaiLimits.stopLength)).max(openaiLimits.stop, "At most 4 stops"),
    ])
    .nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.int().nullish(),
  n: z.literal(1, "Only n = 1 is supported").nullish(),
  /** An end-user id for the provider's abuse checks; Parley knows its caller already. */
  user: textInput().max(256).optional(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;
export type RequestMessage = ChatCompletionRequest["messages"][number];

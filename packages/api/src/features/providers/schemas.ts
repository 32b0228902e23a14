import { z } from "zod";
import { sensitive, text } from "../../core/input";

export const providerLimits = {
  name: 100,
  baseUrl: 500,
  apiKey: 2_000,
  /** A model id at the provider; `<provider id>/<model>` must fit chatLimits.model (200). */
  model: 150,
  models: 200,
  /** Providers per instance: a settings screen's worth. */
  count: 50,
} as const;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password
    );
  } catch {
    return false;
  }
}

const baseUrl = text()
  .trim()
  .min(1, "Give the endpoint's base URL")
  .max(providerLimits.baseUrl)
  .refine(isHttpUrl, "Must be an http:// or https:// URL (without a user name or password)");

const modelList = z
  .array(text().trim().min(1, "A model id cannot be empty").max(providerLimits.model))
  .max(providerLimits.models)
  .transform((models) => [...new Set(models)]);

const apiKey = sensitive(text().trim().max(providerLimits.apiKey));

const fields = {
  name: text().trim().min(1, "Name the provider").max(providerLimits.name),
  baseUrl,
  /** Empty: every model the endpoint lists (GET /models). */
  models: modelList.default([]),
  /** Which of the models take images. */
  visionModels: modelList.default([]),
  enabled: z.boolean().default(true),
};

export const createProviderInput = z.object({
  ...fields,
  /** Null or empty: the endpoint needs none (Ollama, vLLM). */
  apiKey: apiKey.nullable().default(null),
});

export const updateProviderInput = z.object({
  id: z.uuid(),
  ...fields,
  /** Absent: keep the stored key; null: clear it; a value: replace it. */
  apiKey: apiKey.nullable().optional(),
});

export const deleteProviderInput = z.object({ id: z.uuid() });

/** A saved provider (`id`), or one being added or edited (`baseUrl`, `apiKey`); with both,
 * the given fields win and an absent key is the stored one. */
export const testProviderInput = z
  .object({
    id: z.uuid().optional(),
    baseUrl: baseUrl.optional(),
    apiKey: apiKey.nullable().optional(),
  })
  .refine((input) => input.id || input.baseUrl, {
    message: "Give the base URL to test",
    path: ["baseUrl"],
  });

export type CreateProviderInput = z.infer<typeof createProviderInput>;
export type UpdateProviderInput = z.infer<typeof updateProviderInput>;
export type TestProviderInput = z.infer<typeof testProviderInput>;

import { providers as q, type Database, type ProviderRow } from "@parley/db";
import type OpenAI from "openai";
import type { KeyRing } from "../../core/crypto";
import { openProviderKey } from "../../core/provider-keys";
import type { ChangeSignal } from "../../infra/change-signal";
import type { HistoryCache } from "../../infra/history-cache";
import {
  createOpenAIEndpoint,
  ModelError,
  setupHint,
  type ModelChunk,
  type ModelEndpoint,
  type ModelRequest,
} from "./provider";
import type { AiConfig } from "./settings";

/** The id of the provider configured by the environment (OPENAI_BASE_URL, ...). */
export const ENVIRONMENT_PROVIDER_ID = "environment";

/** The change-signal topic told after an admin changed the providers. */
export const PROVIDERS_TOPIC = "providers";

/** A model on offer. `id` is what conversations, presets and /v1 callers name it by. */
export interface ModelOption {
  /** `<provider id>/<model>` for a provider admins added; the bare model id for the
   * environment's, as conversations made before providers existed stored it. */
  id: string;
  /** The provider's own id of the model. */
  name: string;
  /** Takes images. */
  vision: boolean;
}

export interface ProviderGroup {
  id: string;
  name: string;
  /** Configured by environment variables: read-only in the UI. */
  environment: boolean;
  models: ModelOption[];
}

export interface ModelCatalog {
  /** At least one provider is set up (its models may still be empty). */
  configured: boolean;
  /** Every model's `id`, provider by provider. */
  models: string[];
  defaultModel: string | null;
  providers: ProviderGroup[];
}

/** Where a model reference goes: the endpoint and the endpoint's own model id. */
export interface ModelRoute {
  providerId: string;
  providerName: string;
  endpoint: ModelEndpoint;
  client: OpenAI;
  model: string;
  /** Whether this model takes images. */
  vision: boolean;
}

/**
 * The language models behind chat and /v1: the environment's provider and every enabled one
 * admins added, each an OpenAI-compatible endpoint. Routes a model reference to its
 * endpoint.
 */
export interface ModelProvider {
  /** The provider set by environment variables, shown read-only beside those admins add;
   * null when the environment sets none. */
  readonly environment: EnvironmentProvider | null;
  catalog(): Promise<ModelCatalog>;
  /** Null when no provider serves the reference (whether the model is offered is the
   * catalog's to say). */
  route(model: string): Promise<ModelRoute | null>;
  stream(request: ModelRequest): AsyncIterable<ModelChunk>;
  /** One short answer without streaming (used for titles). */
  complete(request: ModelRequest & { maxTokens: number }): Promise<string>;
  /** After the providers table changed: every replica reloads it. */
  changed(): Promise<void>;
  close(): Promise<void>;
}

export interface EnvironmentProvider {
  id: typeof ENVIRONMENT_PROVIDER_ID;
  baseUrl: string;
  hasApiKey: boolean;
  /** AI_MODELS; empty: what the endpoint lists. */
  models: string[];
  /** AI_VISION_MODELS; null: every model. */
  visionModels: string[] | null;
}

interface LoadedProvider {
  id: string;
  name: string;
  environment: boolean;
  endpoint: ModelEndpoint;
  client: OpenAI;
  /** Null: every model takes images. */
  vision: readonly string[] | null;
}

export interface ProviderRegistryOptions {
  env: AiConfig;
  db: Database;
  /** Opens the providers' sealed keys. */
  keyRing?: KeyRing;
  changes: ChangeSignal;
  /** Shares each endpoint's model list between replicas; read at each call. */
  cache?: () => HistoryCache | undefined;
  /** Longest a replica serves the providers it read, should a change's message be lost. */
  ttlMs?: number;
  log?: (message: string) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits `<provider id>/<model>`; null for a bare (environment) model id. */
export function parseModelRef(ref: string): { providerId: string; model: string } | null {
  const slash = ref.indexOf("/");
  if (slash !== 36 || !UUID.test(ref.slice(0, slash)) || slash === ref.length - 1) return null;
  return { providerId: ref.slice(0, slash).toLowerCase(), model: ref.slice(slash + 1) };
}

export const modelRef = (providerId: string, model: string) => `${providerId}/${model}`;

/**
 * The providers table read once and kept in memory: a send or a /v1 call costs no query.
 * A change on any replica reaches every other through the change signal; a load that was
 * running when a change arrived is not kept.
 */
export function createProviderRegistry(options: ProviderRegistryOptions): ModelProvider {
  const { env, db, changes } = options;
  const ttlMs = options.ttlMs ?? 60_000;
  const log = options.log ?? (() => {});
  const envEndpoint = createOpenAIEndpoint(env, { cache: options.cache, cacheKey: "models" });
  const environment: LoadedProvider | null = envEndpoint.client
    ? {
        id: ENVIRONMENT_PROVIDER_ID,
        name: "Environment",
        environment: true,
        endpoint: envEndpoint,
        client: envEndpoint.client,
        vision: env.visionModels ?? null,
      }
    : null;
  // Endpoints by row version: an unchanged provider keeps its client and model list.
  let built = new Map<string, LoadedProvider>();
  let loaded: { at: number; list: LoadedProvider[] } | null = null;
  let loading: Promise<LoadedProvider[]> | null = null;
  let epoch = 0;
  const unlisten = changes.listen(PROVIDERS_TOPIC, () => {
    epoch++;
    loaded = null;
    loading = null;
  });

  function build(row: ProviderRow): LoadedProvider | null {
    const version = `${row.id}:${row.updatedAt.getTime()}`;
    const kept = built.get(version);
    if (kept) return kept;
    let apiKey: string | undefined;
    if (row.apiKeySealed) {
      try {
        if (!options.keyRing) throw new Error("no key ring");
        apiKey = openProviderKey(options.keyRing, row.id, row.apiKeySealed);
      } catch {
        log(
          `provider "${row.name}": its API key cannot be opened (was ENCRYPTION_KEY changed without ENCRYPTION_KEY_PREVIOUS?); not offered`,
        );
        return null;
      }
    }
    const endpoint = createOpenAIEndpoint(
      { baseUrl: row.baseUrl, apiKey, models: row.models },
      { cache: options.cache, cacheKey: `models:${version}` },
    );
    return {
      id: row.id,
      name: row.name,
      environment: false,
      endpoint,
      client: endpoint.client!,
      vision: row.visionModels,
    };
  }

  async function load(): Promise<LoadedProvider[]> {
    const started = epoch;
    let rows: ProviderRow[];
    try {
      rows = await q.listProviders(db);
    } catch (error) {
      // Serve what was read last (or the environment's alone) rather than fail chat.
      log(`reading the model providers failed: ${(error as Error).message}`);
      return loaded?.list ?? (environment ? [environment] : []);
    }
    const next = new Map<string, LoadedProvider>();
    const list: LoadedProvider[] = environment ? [environment] : [];
    for (const row of rows) {
      if (!row.enabled) continue;
      const provider = build(row);
      if (!provider) continue;
      next.set(`${row.id}:${row.updatedAt.getTime()}`, provider);
      list.push(provider);
    }
    if (started === epoch) {
      built = next;
      loaded = { at: Date.now(), list };
    }
    return list;
  }

  function providers(): Promise<LoadedProvider[]> {
    if (loaded && Date.now() - loaded.at < ttlMs) return Promise.resolve(loaded.list);
    if (!loading) {
      const current = load().finally(() => {
        if (loading === current) loading = null;
      });
      loading = current;
    }
    return loading;
  }

  async function route(ref: string): Promise<ModelRoute | null> {
    const list = await providers();
    const parsed = parseModelRef(ref);
    const provider = parsed
      ? list.find((p) => !p.environment && p.id === parsed.providerId)
      : list.find((p) => p.environment);
    if (!provider) return null;
    const model = parsed ? parsed.model : ref;
    return {
      providerId: provider.id,
      providerName: provider.name,
      endpoint: provider.endpoint,
      client: provider.client,
      model,
      vision: provider.vision === null || provider.vision.includes(model),
    };
  }

  async function routeOrFail(ref: string): Promise<ModelRoute> {
    const found = await route(ref);
    if (found) return found;
    if (!(await providers()).length) throw new ModelError("not_configured", setupHint);
    throw new ModelError(
      "model_not_found",
      `The model "${ref}" is not offered: its provider was removed or turned off.`,
    );
  }

  return {
    environment: environment
      ? {
          id: ENVIRONMENT_PROVIDER_ID,
          baseUrl: env.baseUrl ?? "https://api.openai.com/v1",
          hasApiKey: Boolean(env.apiKey),
          models: [...env.models],
          visionModels: env.visionModels ? [...env.visionModels] : null,
        }
      : null,

    async catalog() {
      const list = await providers();
      const listed = await Promise.all(list.map((provider) => provider.endpoint.listModels()));
      const groups = list.map((provider, i): ProviderGroup => ({
        id: provider.id,
        name: provider.name,
        environment: provider.environment,
        models: listed[i]!.models.map((name) => ({
          id: provider.environment ? name : modelRef(provider.id, name),
          name,
          vision: provider.vision === null || provider.vision.includes(name),
        })),
      }));
      const models = groups.flatMap((g) => g.models.map((m) => m.id));
      // The environment's AI_DEFAULT_MODEL first, as before providers existed.
      const envDefault = list[0]?.environment ? listed[0]!.defaultModel : null;
      return {
        configured: list.length > 0,
        models,
        defaultModel: envDefault ?? models[0] ?? null,
        providers: groups,
      };
    },

    route,

    async *stream(request) {
      const target = await routeOrFail(request.model);
      yield* target.endpoint.stream({ ...request, model: target.model });
    },

    async complete(request) {
      const target = await routeOrFail(request.model);
      return target.endpoint.complete({ ...request, model: target.model });
    },

    async changed() {
      await changes.notify(PROVIDERS_TOPIC);
    },

    async close() {
      unlisten();
    },
  };
}

import type { Database } from "@parley/db";
import type { Redis } from "ioredis";
import type { KeyRing } from "../../core/crypto";
import type { FilesRuntime } from "../../core/files";
import type { UsageMeter } from "../../core/usage-meter";
import type { HistoryCache } from "../../infra/history-cache";
import {
  createMemoryCancelSignal,
  createRedisCancelSignal,
  type CancelSignal,
} from "../../infra/cancel";
import {
  createMemoryStreamBus,
  createRedisStreamBus,
  type StreamBus,
} from "../../infra/stream-bus";
import { GenerationManager } from "./generation";
import type { GenerationObserver } from "./observer";
import { createChangeSignal, type ChangeSignal } from "../../infra/change-signal";
import { createProviderRegistry, type ModelProvider } from "./registry";
import { defaultChatSettings, type AiConfig, type ChatSettings } from "./settings";
import { LeaseSweeper } from "./sweeper";

/** Everything long-lived that chat needs, built once per process (see createChatRuntime). */
export interface ChatRuntime {
  /** Every model provider (the environment's and those admins added), routed by model. */
  provider: ModelProvider;
  streamBus: StreamBus;
  cancelSignal: CancelSignal;
  generations: GenerationManager;
  sweeper: LeaseSweeper;
  settings: ChatSettings;
  /** Starts the lease sweeper. */
  start(): void;
  /** Finishes or honestly ends running generations, stops the sweeper, closes connections. */
  close(): Promise<void>;
}

export interface ChatRuntimeOptions {
  db: Database;
  /** Redis for several replicas; null for one process (in-process bus and cancel signal). */
  redis: Redis | null;
  /** The environment's provider; admins add more in Settings → Providers. */
  ai: AiConfig;
  /** Opens the keys of the providers admins added. */
  keyRing?: KeyRing;
  /** Tells every replica that the providers changed; built on `redis` when not given. */
  changes?: ChangeSignal;
  settings?: Partial<ChatSettings>;
  /** Prefix of chat's Redis keys (tests use a unique one). */
  keyPrefix?: string;
  /** Read at each generation, so an observer can be attached after the runtime is built. */
  observer?: () => GenerationObserver | undefined;
  /** Where replies' tokens are recorded; read at each generation. */
  usage?: () => UsageMeter | undefined;
  /** Told after a generation changed a user's history; read at each call. */
  historyWritten?: () => ((userId: string) => Promise<void>) | undefined;
  /** Shares the provider's model list between replicas; read at each call. */
  historyCache?: () => HistoryCache | undefined;
  /** Where attached files are read for prompts; read at each generation. */
  attachments?: () => { files: FilesRuntime; keyRing: KeyRing } | undefined;
  log?: (message: string) => void;
}

export function createChatRuntime(options: ChatRuntimeOptions): ChatRuntime {
  const settings = { ...defaultChatSettings, ...options.settings };
  const log = options.log ?? (() => {});
  const observer = options.observer ?? (() => undefined);
  const keyPrefix = options.keyPrefix ?? "parley:";
  const streamBus = options.redis
    ? createRedisStreamBus(options.redis, { keyPrefix })
    : createMemoryStreamBus();
  const cancelSignal = options.redis
    ? createRedisCancelSignal(options.redis, { keyPrefix })
    : createMemoryCancelSignal();
  const ownChanges = !options.changes;
  const changes = options.changes ?? createChangeSignal(options.redis, keyPrefix);
  const provider = createProviderRegistry({
    env: options.ai,
    db: options.db,
    keyRing: options.keyRing,
    changes,
    cache: options.historyCache,
    log,
  });
  if (!options.ai.apiKey && !options.ai.baseUrl) {
    log(
      "no model provider in the environment (OPENAI_API_KEY or OPENAI_BASE_URL): chat offers the providers admins add in Settings → Providers",
    );
  }
  const generations = new GenerationManager({
    db: options.db,
    bus: streamBus,
    cancel: cancelSignal,
    provider,
    settings,
    observer,
    usage: options.usage ?? (() => undefined),
    historyWritten: options.historyWritten ?? (() => undefined),
    attachments: options.attachments,
    log,
  });
  const sweeper = new LeaseSweeper({
    db: options.db,
    bus: streamBus,
    settings,
    observer,
    historyWritten: options.historyWritten,
    log,
  });

  let closing: Promise<void> | undefined;
  return {
    provider,
    streamBus,
    cancelSignal,
    generations,
    sweeper,
    settings,
    start: () => sweeper.start(),
    close() {
      closing ??= (async () => {
        await generations.shutdown();
        await sweeper.stop();
        await cancelSignal.close();
        await streamBus.close();
        await provider.close();
        if (ownChanges) await changes.close();
      })();
      return closing;
    },
  };
}

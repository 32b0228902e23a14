import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateMasterKey, parseMasterKey } from "@parley/api";
import { z } from "zod";
import { fileContaining, guessableSecretReason } from "./secret-strength";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => v || undefined)
  .pipe(z.url().optional())
  .optional();

const masterKeyMessage =
  "must be 32 random bytes in base64 (make one with `openssl rand -base64 32`)";

/** 32 bytes of base64 that are not an obvious placeholder (all one byte, or a short pattern). */
function isUsableMasterKey(value: string): boolean {
  let key: Buffer;
  try {
    key = parseMasterKey(value);
  } catch {
    return false;
  }
  return new Set(key).size >= 16;
}

const flag = (fallback: "0" | "1") =>
  z
    .enum(["0", "1", "true", "false"])
    .default(fallback)
    .transform((v) => v === "1" || v === "true");

const databaseUrl = optionalUrl.refine((v) => !v || /^postgres(ql)?:\/\//.test(v), {
  message: "must be a postgres:// or postgresql:// URL",
});

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: databaseUrl,
  /** Streaming replicas for history reads: one or more postgres URLs, comma-separated. */
  DATABASE_REPLICA_URL: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.url().refine((u) => /^postgres(ql)?:\/\//.test(u), {
          message: "each must be a postgres:// or postgresql:// URL",
        }),
      ),
    ),
  /** A replica further behind the primary than this is skipped (the primary serves). */
  DATABASE_REPLICA_MAX_LAG_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** 0: leave migrating to a separate job (Kubernetes) and wait until it has applied
   * every migration this build carries, instead of applying them at start. */
  MIGRATE_ON_START: flag("1"),
  /** 0: no history cache (conversation lists and finished message pages always read from
   * the database). */
  HISTORY_CACHE: flag("1"),
  REDIS_URL: optionalUrl.refine((v) => !v || /^rediss?:\/\//.test(v), {
    message: "must be a redis:// or rediss:// URL",
  }),
  DATA_DIR: z.string().default(path.join(repoRoot, ".data")),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Master key (32 bytes, base64) that wraps the data key of everything encrypted at rest. */
  ENCRYPTION_KEY: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(z.string().refine(isUsableMasterKey, { message: masterKeyMessage }).optional())
    .optional(),
  /** Earlier master keys, comma-separated: objects they wrapped stay readable until
   * `npm run keys:rotate` has re-wrapped them under ENCRYPTION_KEY. */
  ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().refine(isUsableMasterKey, { message: masterKeyMessage }))),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: optionalUrl,
  AI_MODELS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean),
    ),
  AI_DEFAULT_MODEL: z.string().optional(),
  /** Models that take images, comma-separated; unset: every model. */
  AI_VISION_MODELS: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? null
        : v
            .split(",")
            .map((m) => m.trim())
            .filter(Boolean),
    ),
  /** Where uploaded files go: a folder in DATA_DIR, or an S3-compatible bucket (S3_*). */
  FILE_STORAGE: z.enum(["local", "s3"]).default("local"),
  S3_ENDPOINT: optionalUrl,
  S3_BUCKET: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid bucket name")
    .optional(),
  S3_REGION: z.string().trim().min(1).default("us-east-1"),
  S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  /** Largest upload, in bytes. */
  FILE_MAX_BYTES: z.coerce
    .number()
    .int("must be a whole number of bytes")
    .min(1024, "must be at least 1024 bytes")
    .max(2_000_000_000, "must be at most 2,000,000,000 bytes")
    .default(25 * 1024 * 1024),
  /** Largest history file an import takes (ChatGPT's conversations.json, a Parley export). */
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int("must be a whole number of bytes")
    .min(1024, "must be at least 1024 bytes")
    .max(1_000_000_000, "must be at most 1,000,000,000 bytes")
    .default(64 * 1024 * 1024),
  /** Bytes of files each user may keep. */
  STORAGE_QUOTA_BYTES: z.coerce
    .number()
    .int("must be a whole number of bytes")
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .default(1024 * 1024 * 1024),
  /** The user who registers with this email becomes an admin (besides the first user). */
  ADMIN_EMAIL: z
    .string()
    .trim()
    .transform((v) => v.toLowerCase() || undefined)
    .pipe(z.email("must be an email address").optional())
    .optional(),
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  TRUST_PROXY: flag("0"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Prefix of every Redis key, so deployments (or test runs) can share one Redis. */
  REDIS_KEY_PREFIX: z.string().trim().min(1).max(64).default("parley:"),
  /** PEM file of the CA that signed a rediss:// server's certificate (a private CA). */
  REDIS_TLS_CA_FILE: z.string().trim().min(1).optional(),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (Prometheus sends it). */
  METRICS_TOKEN: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(z.string().min(16, "must be at least 16 characters").optional())
    .optional(),
  /** host:port of a separate listener for /metrics (e.g. 0.0.0.0:9464 on a port only
   * Prometheus reaches); when set, the main port no longer serves /metrics. */
  METRICS_BIND: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(
      z
        .string()
        .regex(/^(\[[0-9a-fA-F:.]+\]|[\w.-]+):\d{1,5}$/, "must be host:port, e.g. 127.0.0.1:9464")
        .optional(),
    )
    .optional(),
  /** Chat generation: a reply's lease, renewed while its generator lives; a lapsed one is
   * found by the sweep (every GENERATION_SWEEP_INTERVAL_MS) and stored `interrupted`. */
  GENERATION_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(30_000),
  GENERATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Longest wait for the model's first token, and between two chunks. */
  AI_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /** Prompt budget in estimated tokens (system prompt + as much of the branch as fits). */
  AI_PROMPT_TOKEN_BUDGET: z.coerce.number().int().min(256).max(2_000_000).default(16_000),
  /** Messages (send and regenerate) one user may start per minute. */
  CHAT_SENDS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  CHAT_CONVERSATIONS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  /** Tokens (prompt + completion) each user may spend per UTC day, in chat and /v1 together;
   * 0 = unlimited. An admin can override it per user (user.admin.setQuota). */
  QUOTA_TOKENS_PER_DAY: z.coerce
    .number()
    .int("must be a whole number of tokens")
    .min(0, "must be 0 (unlimited) or more")
    .max(2_000_000_000)
    .default(0),
  /** How long chat.stop waits for the generating replica to stop before stopping it itself. */
  CHAT_STOP_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
  WEB_DIST: z.string().default(path.join(repoRoot, "apps", "web", "dist")),
  /** Who may create an account: anyone, holders of an admin's invitation, or nobody (the
   * first account can always be made and becomes the admin). */
  REGISTRATION: z
    .enum(["open", "invite", "closed"], { error: "must be open, invite or closed" })
    .default("open"),
  /** Days the audit log keeps an event; a sweep removes older ones every hour. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
  /** Single sign-on: the OpenID provider's issuer URL (HTTPS, or http on loopback). */
  OIDC_ISSUER: optionalUrl,
  OIDC_CLIENT_ID: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(z.string().max(255).optional())
    .optional(),
  OIDC_CLIENT_SECRET: z
    .string()
    .transform((v) => v || undefined)
    .optional(),
  /** The callback URL registered at the provider; by default <this server>/auth/oidc/callback. */
  OIDC_REDIRECT_URI: optionalUrl,
  /** Link a provider account to an existing user with the same, provider-verified email. */
  OIDC_LINK_BY_EMAIL: z
    .enum(["0", "1", "true", "false"])
    .default("false")
    .transform((v) => v === "1" || v === "true"),
  /** The provider's name on the sign-in button ("Sign in with …"). */
  OIDC_LABEL: z.string().trim().min(1).max(40).default("SSO"),
});

export type Env = z.infer<typeof envSchema> & {
  JWT_SECRET: string;
  ENCRYPTION_KEY: string;
  pgliteDir: string;
  /** METRICS_BIND split; null when /metrics is served on the main port. */
  metricsListen: { host: string; port: number } | null;
};

export class EnvError extends Error {}

/** Parses the environment; throws EnvError with one line per wrong variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  if (env.FILE_STORAGE === "s3" && !env.S3_BUCKET) {
    throw new EnvError("Invalid environment:\n  S3_BUCKET: required when FILE_STORAGE=s3");
  }
  if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY) {
    throw new EnvError(
      "Invalid environment:\n  S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both or neither (neither: the AWS default credential chain)",
    );
  }
  if (env.DATABASE_REPLICA_URL.length && !env.DATABASE_URL) {
    throw new EnvError(
      "Invalid environment:\n  DATABASE_REPLICA_URL: needs DATABASE_URL (the primary the replicas follow)",
    );
  }
  if (env.OIDC_ISSUER && !env.OIDC_CLIENT_ID) {
    throw new EnvError("Invalid environment:\n  OIDC_CLIENT_ID: required when OIDC_ISSUER is set");
  }
  if (!env.OIDC_ISSUER && env.OIDC_CLIENT_ID) {
    throw new EnvError("Invalid environment:\n  OIDC_ISSUER: required when OIDC_CLIENT_ID is set");
  }
  if (env.OIDC_ISSUER && !isHttpsOrLoopback(env.OIDC_ISSUER)) {
    throw new EnvError(
      "Invalid environment:\n  OIDC_ISSUER: must be an https:// URL (http only on localhost)",
    );
  }
  const dataDir = path.resolve(env.DATA_DIR);
  const metricsListen = env.METRICS_BIND ? splitHostPort(env.METRICS_BIND) : null;
  if (env.NODE_ENV === "production") {
    const problems = productionProblems(env, dataDir, metricsListen);
    if (problems.length)
      throw new EnvError(`Invalid environment:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
  return {
    ...env,
    DATA_DIR: dataDir,
    JWT_SECRET:
      env.JWT_SECRET ??
      generatedSecret(dataDir, "jwt-secret", () => randomBytes(48).toString("base64url")),
    ENCRYPTION_KEY:
      env.ENCRYPTION_KEY ?? generatedSecret(dataDir, "encryption-key", generateMasterKey),
    pgliteDir: path.join(dataDir, "pglite"),
    metricsListen,
  };
}

/** What the migration job (src/migrate.ts) needs: only the database. */
export function loadMigrationEnv(source: NodeJS.ProcessEnv = process.env): {
  DATABASE_URL: string;
} {
  const parsed = z.object({ DATABASE_URL: databaseUrl }).safeParse(source);
  if (!parsed.success || !parsed.data.DATABASE_URL) {
    const issue = parsed.success ? "required" : parsed.error.issues[0]?.message;
    throw new EnvError(`Invalid environment:\n  DATABASE_URL: ${issue}`);
  }
  return { DATABASE_URL: parsed.data.DATABASE_URL };
}

function splitHostPort(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(":");
  return {
    host: value.slice(0, colon).replace(/^\[|\]$/g, ""),
    port: Number(value.slice(colon + 1)),
  };
}

/** What production refuses: a secret anyone could guess, and metrics open to anyone. */
function productionProblems(
  env: z.infer<typeof envSchema>,
  dataDir: string,
  metricsListen: { host: string; port: number } | null,
): string[] {
  const problems: string[] = [];
  if (!env.JWT_SECRET) {
    problems.push("JWT_SECRET: required in production (32+ characters)");
  } else {
    const reason = guessableSecretReason(env.JWT_SECRET);
    if (reason) problems.push(`JWT_SECRET: guessable in production: it ${reason}`);
    // A value published with the code (README, tests, examples) is known to every reader.
    const file = reason ? undefined : fileContaining(repoRoot, env.JWT_SECRET, [dataDir]);
    if (file)
      problems.push(
        `JWT_SECRET: guessable in production: it appears in ${path.relative(repoRoot, file)}, which anyone with the source can read; make a new one with: openssl rand -base64 48`,
      );
  }
  if (!env.ENCRYPTION_KEY) {
    problems.push(
      "ENCRYPTION_KEY: required in production (make one with `openssl rand -base64 32`)",
    );
  } else {
    const file = fileContaining(repoRoot, env.ENCRYPTION_KEY, [dataDir]);
    if (file)
      problems.push(
        `ENCRYPTION_KEY: guessable in production: it appears in ${path.relative(repoRoot, file)}, which anyone with the source can read; make a new one with: openssl rand -base64 32`,
      );
  }
  if (!env.METRICS_TOKEN && !metricsListen) {
    problems.push(
      "METRICS_TOKEN: required in production, else /metrics is open to anyone on the API port; or set METRICS_BIND to serve it on a private port",
    );
  }
  if (metricsListen && metricsListen.port === env.PORT && env.PORT !== 0) {
    problems.push("METRICS_BIND: must name a port other than PORT");
  }
  return problems;
}

/** For the embedded default: a secret made once and kept in DATA_DIR (readable by its owner
 * only), so sessions and encrypted data survive restarts without any configuration. */
function generatedSecret(dataDir: string, name: string, make: () => string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) {
    // Written by an older version, or copied around: only this user may read it.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return readFileSync(file, "utf8").trim();
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = make();
  writeFileSync(file, secret, { mode: 0o600 });
  // The mode above is filtered by the umask; the file must end up 0600 whatever it is.
  chmodSync(file, 0o600);
  return secret;
}

function isHttpsOrLoopback(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === "https:") return true;
  return (
    parsed.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(parsed.hostname)
  );
}

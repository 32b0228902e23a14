import { spawnSync } from "node:child_process";
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  copyFileSync,
  existsSync,
  chmodSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { makeCertificates } from "@parley/testing";
import {
  callProcedure,
  exportedSeriesNames,
  findTool,
  missingTool,
  scrape,
  startTestServer,
  type TestServer,
} from "./ops-helpers";

// The operator's files (dashboard, alerts, Prometheus, compose, nginx) checked against
// what the API really exports: names come from a live scrape, labels from its registry.
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const file = (p: string) => path.join(repo, p);
const read = (p: string) => readFileSync(file(p), "utf8");

/** Labels Prometheus adds to every scraped series (prometheus.yml), besides the app's. */
const TARGET_LABELS = ["job", "instance", "service"];
const PROMQL_KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "inf",
  "nan",
]);

interface Selector {
  metric: string;
  labels: string[];
}

/** The metric selectors of a PromQL expression, and the labels it groups by. */
function parsePromql(expr: string): { selectors: Selector[]; groupings: string[] } {
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const groupings: string[] = [];
  rest = rest.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_m, _k, labels: string) => {
      groupings.push(
        ...labels
          .split(",")
          .map((l) => l.trim())
          .filter(Boolean),
      );
      return " ";
    },
  );
  rest = rest.replace(/\[[^\]]*\]/g, " ");
  const selectors: Selector[] = [];
  for (const match of rest.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?(\s*\()?/g)) {
    const [, name, matchers, call] = match;
    if (call || PROMQL_KEYWORDS.has(name!.toLowerCase())) continue;
    const labels = [...(matchers ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map(
      (m) => m[1]!,
    );
    selectors.push({ metric: name!, labels });
  }
  return { selectors, groupings };
}

let t: TestServer;
let exported: Set<string>;
const labelsOf = new Map<string, Set<string>>();

beforeAll(async () => {
  t = await startTestServer();
  await callProcedure(t.base, "health.ping");
  const { types } = await scrape(t.base);
  exported = exportedSeriesNames(types);
  exported.add("up"); // written by Prometheus itself for every target
  labelsOf.set("up", new Set(TARGET_LABELS));
  for (const metric of t.server.metrics.registry.getMetricsAsArray()) {
    const own = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
    const labels = new Set([...own, ...TARGET_LABELS]);
    for (const name of [
      metric.name,
      `${metric.name}_bucket`,
      `${metric.name}_sum`,
      `${metric.name}_count`,
    ]) {
      labelsOf.set(name, name.endsWith("_bucket") ? new Set([...labels, "le"]) : labels);
    }
  }
});
afterAll(() => t?.stop());

/** Every metric an expression names is exported, with the labels it uses. */
function expectValidExpression(expr: string, where: string) {
  const { selectors, groupings } = parsePromql(expr);
  expect(selectors.length, `${where}: no metric in ${expr}`).toBeGreaterThan(0);
  const usable = new Set<string>();
  for (const { metric, labels } of selectors) {
    expect(exported.has(metric), `${where}: ${metric} is not exported by the API`).toBe(true);
    for (const label of labels) {
      expect(labelsOf.get(metric)?.has(label), `${where}: ${metric} has no label ${label}`).toBe(
        true,
      );
    }
    for (const label of labelsOf.get(metric) ?? []) usable.add(label);
  }
  for (const label of groupings)
    expect(usable.has(label), `${where}: nothing to group by ${label}`).toBe(true);
  return selectors.map((s) => s.metric);
}

describe("the PromQL reader used by these checks", () => {
  it("finds metric names and labels, not functions, keywords or grouping labels", () => {
    expect(
      parsePromql(
        'histogram_quantile(0.99, sum by (le, procedure) (rate(a_bucket{type!="x", job=~"$j"}[$__rate_interval]))) / on(instance) b > bool 0.2',
      ),
    ).toEqual({
      selectors: [
        { metric: "a_bucket", labels: ["type", "job"] },
        { metric: "b", labels: [] },
      ],
      groupings: ["le", "procedure", "instance"],
    });
  });
});

describe("the Grafana dashboard", () => {
  const dashboard = JSON.parse(read("infra/grafana/dashboards/parley.json")) as {
    uid: string;
    panels: {
      type: string;
      title: string;
      datasource?: { uid: string };
      gridPos: { x: number; y: number; w: number; h: number };
      targets?: { expr: string }[];
    }[];
    templating: { list: { name: string; query: { query: string } | string }[] };
  };
  const datasources = parseYaml(read("infra/grafana/provisioning/datasources/prometheus.yml")) as {
    datasources: { uid: string; url: string }[];
  };

  it("queries only metrics and labels the API exports", () => {
    const panels = dashboard.panels.filter((p) => p.type !== "row");
    expect(panels.length).toBeGreaterThanOrEqual(12);
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets!)
        expectValidExpression(target.expr, `panel "${panel.title}"`);
    }
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === "string" ? variable.query : variable.query.query;
      const match = /^label_values\((.+),\s*([a-zA-Z_]+)\)$/.exec(query);
      expect(match, query).not.toBeNull();
      const [metric] = expectValidExpression(match![1]!, `variable ${variable.name}`);
      expect(labelsOf.get(metric!)?.has(match![2]!)).toBe(true);
    }
  });

  it("shows every metric of the operations issue", () => {
    const shown = new Set(
      dashboard.panels.flatMap((p) =>
        (p.targets ?? []).flatMap((t) => parsePromql(t.expr).selectors.map((s) => s.metric)),
      ),
    );
    for (const metric of [
      "parley_trpc_request_duration_seconds_bucket",
      "parley_trpc_request_duration_seconds_count",
      "parley_trpc_calls_total",
      "parley_trpc_errors_total",
      "parley_active_users",
      "parley_open_streams",
      "parley_ready",
      "parley_model_time_to_first_token_seconds_bucket",
      "parley_model_generation_duration_seconds_bucket",
      "parley_model_tokens_total",
      "parley_generations_total",
      "parley_usage_tokens_total",
      "parley_quota_refusals_total",
      "parley_v1_request_duration_seconds_bucket",
      "parley_v1_time_to_first_token_seconds_bucket",
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
    ]) {
      expect(shown.has(metric), metric).toBe(true);
    }
  });

  it("uses the provisioned data source and lays panels out without overlaps", () => {
    const [source] = datasources.datasources;
    expect(source?.url).toBe("http://prometheus:9090");
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      if (panel.type !== "row") expect(panel.datasource?.uid, panel.title).toBe(source?.uid);
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `"${panel.title}" overlaps another panel`).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
    }
  });
});

describe("the Prometheus alert rules", () => {
  const rules = parseYaml(read("infra/prometheus/alerts.yml")) as {
    groups: { rules: { alert: string; expr: string; for?: string }[] }[];
  };
  const all = rules.groups.flatMap((g) => g.rules);

  it("cover error rate, p99 latency over 200 ms and readiness, on exported metrics", () => {
    expect(all.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        "ParleyHighErrorRate",
        "ParleyHighLatencyP99",
        "ParleyReplicaNotReady",
        "ParleyReplicaDown",
      ]),
    );
    expect(all.find((r) => r.alert === "ParleyHighLatencyP99")?.expr).toMatch(
      /histogram_quantile\(0\.99[\s\S]*> 0\.2\s*$/,
    );
    for (const rule of all) expectValidExpression(rule.expr, `alert ${rule.alert}`);
  });

  it.skipIf(missingTool("promtool", "prometheus"))(
    "pass promtool's syntax check and unit tests",
    () => {
      const promtool = findTool("promtool")!;
      const run = (args: string[]) =>
        spawnSync(promtool, args, { cwd: file("infra/prometheus"), encoding: "utf8" });
      const check = run(["check", "rules", "alerts.yml"]);
      expect(check.status, check.stdout + check.stderr).toBe(0);
      const unit = run(["test", "rules", "alerts.test.yml"]);
      expect(unit.status, unit.stdout + unit.stderr).toBe(0);
      expect(unit.stdout + unit.stderr).toContain("SUCCESS");
    },
  );
});

describe("the Prometheus configuration", () => {
  const config = parseYaml(read("infra/prometheus.yml")) as {
    rule_files: string[];
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      authorization?: { type: string; credentials_file: string };
      static_configs: { targets: string[] }[];
    }[];
  };
  const compose = parseYaml(read("docker-compose.yml")) as { services: Record<string, unknown> };
  const apiServices = Object.keys(compose.services).filter((name) => /^api\d+$/.test(name));

  it("scrapes every API replica itself, with the metrics token", () => {
    const job = config.scrape_configs.find((j) => j.job_name === "parley-api")!;
    expect(job.metrics_path ?? "/metrics").toBe("/metrics");
    expect(job.authorization?.type).toBe("Bearer");
    const targets = job.static_configs.flatMap((s) => s.targets).sort();
    expect(apiServices).toHaveLength(3);
    expect(targets).toEqual(apiServices.map((name) => `${name}:3000`).sort());
  });

  it.skipIf(missingTool("promtool", "prometheus"))("passes promtool check config", () => {
    // The token file only exists inside the container; point at a stand-in.
    const dir = mkdtempSync(path.join(tmpdir(), "parley-prom-"));
    try {
      const token = path.join(dir, "metrics-token");
      writeFileSync(token, "a-token-of-sixteen-chars");
      mkdirSync(path.join(dir, "prometheus"));
      copyFileSync(file("infra/prometheus/alerts.yml"), path.join(dir, "prometheus", "alerts.yml"));
      const job = config.scrape_configs.find((j) => j.job_name === "parley-api")!;
      writeFileSync(
        path.join(dir, "prometheus.yml"),
        read("infra/prometheus.yml").replace(job.authorization!.credentials_file, token),
      );
      const result = spawnSync(findTool("promtool")!, ["check", "config", "prometheus.yml"], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(result.status, result.stdout + result.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("docker-compose.yml", () => {
  const composeConfig = (args: string[] = []) =>
    spawnSync(findTool("docker-compose")!, [...args, "config"], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, COMPOSE_PROJECT_NAME: "parley" },
    });

  it.skipIf(missingTool("docker-compose", "docker-compose"))(
    "passes `docker-compose config` bare and with .env.example",
    () => {
      for (const args of [[], ["--env-file", ".env.example"]]) {
        const result = composeConfig(args);
        expect(result.status, result.stderr).toBe(0);
      }
    },
  );

  it.skipIf(missingTool("docker-compose", "docker-compose"))(
    "runs postgres, redis, three API replicas, nginx, prometheus and grafana, each with a health check",
    () => {
      const resolved = parseYaml(composeConfig(["--env-file", ".env.example"]).stdout) as {
        services: Record<
          string,
          {
            healthcheck?: { test: string[] | string };
            environment?: Record<string, string | null>;
            depends_on?: Record<string, { condition: string }>;
            volumes?: (string | { source: string })[];
            command?: string[] | string;
          }
        >;
      };
      const services = resolved.services;
      for (const name of [
        "postgres",
        "redis",
        "minio",
        "api1",
        "api2",
        "api3",
        "nginx",
        "prometheus",
        "grafana",
      ]) {
        expect(services[name]?.healthcheck?.test, `${name} health check`).toBeTruthy();
      }
      // The one-shot migration job runs before any replica.
      expect(services.migrate?.command).toEqual(["npm", "run", "db:migrate"]);
      for (const api of ["api1", "api2", "api3"]) {
        const env = services[api]!.environment!;
        expect(env.TRUST_PROXY).toBe("1");
        expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
        expect(env.REDIS_URL).toBe("redis://redis:6379");
        expect(Object.keys(env)).toEqual(expect.arrayContaining(["JWT_SECRET", "METRICS_TOKEN"]));
        expect(services[api]!.depends_on?.migrate?.condition).toBe(
          "service_completed_successfully",
        );
      }
      // Every file the services mount is in the repository.
      for (const service of Object.values(services)) {
        for (const volume of service.volumes ?? []) {
          const source = typeof volume === "string" ? volume.split(":")[0]! : volume.source;
          if (source.startsWith("/")) expect(existsSync(source), source).toBe(true);
        }
      }
    },
  );
});

describe("docker-compose.yml: uploads in MinIO", () => {
  type Service = {
    command?: string[];
    entrypoint?: string[];
    environment?: Record<string, string | null>;
    depends_on?: Record<string, { condition: string }>;
    ports?: unknown[];
  };
  const skip = missingTool("docker-compose", "docker-compose");
  const resolved = () =>
    parseYaml(
      spawnSync(findTool("docker-compose")!, ["--env-file", ".env.example", "config"], {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, COMPOSE_PROJECT_NAME: "parley" },
      }).stdout,
    ) as { services: Record<string, Service> };

  /** Runs a service's `sh -c` script here, with stand-ins for `mc` and `minio` that log
   * their arguments, as the container would (compose writes `$` as `$$` in its output). */
  function runScript(service: Service, env: Record<string, string>) {
    expect(service.entrypoint).toEqual(["/bin/sh", "-c"]);
    const dir = mkdtempSync(path.join(tmpdir(), "parley-minio-"));
    try {
      for (const tool of ["mc", "minio"]) {
        const stub = path.join(dir, tool);
        // `policy attach` fails as it does when the policy is already attached.
        writeFileSync(
          stub,
          `#!/bin/sh\necho "${tool} $*" >> "${dir}/calls"\n` +
            `[ "$1 $2 $3" = "admin policy attach" ] && exit 1\n` +
            `[ "$1 $2 $3" = "admin user info" ] && echo "PolicyName: parley-files"\nexit 0\n`,
        );
        chmodSync(stub, 0o755);
      }
      const script = service.command![0]!.replaceAll("$$", "$");
      const result = spawnSync("/bin/sh", ["-c", script], {
        encoding: "utf8",
        env: { PATH: `${dir}:/usr/bin:/bin`, ...env },
      });
      const calls = existsSync(path.join(dir, "calls"))
        ? readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n")
        : [];
      return { status: result.status, stderr: result.stderr, calls };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.skipIf(skip)("the replicas share one bucket, made before any of them starts", () => {
    const { services } = resolved();
    for (const api of ["api1", "api2", "api3"]) {
      const env = services[api]!.environment!;
      expect(env).toMatchObject({
        FILE_STORAGE: "s3",
        S3_ENDPOINT: "http://minio:9000",
        S3_BUCKET: "parley-files",
        S3_FORCE_PATH_STYLE: "1",
        S3_ACCESS_KEY_ID: "parley-api",
      });
      expect(services[api]!.depends_on?.["minio-setup"]?.condition).toBe(
        "service_completed_successfully",
      );
    }
    expect(services["minio-setup"]!.depends_on?.minio?.condition).toBe("service_healthy");
    // Only the compose network reaches the store.
    expect(services.minio!.ports ?? []).toEqual([]);
  });

  it.skipIf(skip)("MinIO and its setup refuse to start without real secrets", () => {
    const { services } = resolved();
    const noPassword = runScript(services.minio!, {});
    expect(noPassword.status).not.toBe(0);
    expect(noPassword.stderr).toMatch(/Set MINIO_ROOT_PASSWORD/);
    expect(noPassword.calls).toEqual([]);
    const started = runScript(services.minio!, { MINIO_ROOT_PASSWORD: "a-long-password" });
    expect(started.status).toBe(0);
    expect(started.calls).toEqual(["minio server /data --console-address :9001"]);

    const setupEnv = {
      MINIO_ROOT_USER: "parley-admin",
      MINIO_ROOT_PASSWORD: "a-long-password",
      S3_BUCKET: "parley-files",
      S3_ACCESS_KEY_ID: "parley-api",
    };
    const noKey = runScript(services["minio-setup"]!, setupEnv);
    expect(noKey.status).not.toBe(0);
    expect(noKey.stderr).toMatch(/Set S3_SECRET_ACCESS_KEY/);
    expect(noKey.calls).toEqual([]);
  });

  it.skipIf(skip)(
    "the setup makes a private bucket and a key limited to it, and can run again",
    () => {
      const { services } = resolved();
      const setup = runScript(services["minio-setup"]!, {
        MINIO_ROOT_USER: "parley-admin",
        MINIO_ROOT_PASSWORD: "a-long-password",
        S3_BUCKET: "parley-files",
        S3_ACCESS_KEY_ID: "parley-api",
        S3_SECRET_ACCESS_KEY: "the-api-secret",
      });
      expect(setup.status, setup.stderr).toBe(0);
      expect(setup.calls).toEqual([
        "mc alias set parley http://minio:9000 parley-admin a-long-password",
        "mc mb --ignore-existing parley/parley-files",
        "mc anonymous set none parley/parley-files",
        "mc admin policy create parley parley-files /tmp/parley-files.json",
        "mc admin user add parley parley-api the-api-secret",
        "mc admin policy attach parley parley-files --user parley-api",
        // Already attached on a second start: checked instead of failing.
        "mc admin user info parley parley-api",
      ]);
      const policy = JSON.parse(readFileSync("/tmp/parley-files.json", "utf8")) as {
        Statement: Array<{ Resource: string[] }>;
      };
      expect(policy.Statement.flatMap((s) => s.Resource).sort()).toEqual([
        "arn:aws:s3:::parley-files",
        "arn:aws:s3:::parley-files/*",
      ]);
    },
  );
});

describe("infra/nginx.conf", () => {
  const conf = read("infra/nginx.conf");
  const trpcBlock = /location \/trpc\/ \{([^}]*)\}/.exec(conf)?.[1] ?? "";

  it("sends to every replica, streams SSE unbuffered and hides /metrics", () => {
    const upstream = [...conf.matchAll(/^\s*server (api\d+):3000\b/gm)].map((m) => m[1]);
    expect(upstream).toEqual(["api1", "api2", "api3"]);
    expect(trpcBlock).toMatch(/proxy_buffering off;/);
    expect(trpcBlock).toMatch(/proxy_read_timeout 1h;/);
    expect(conf).toMatch(/proxy_set_header X-Real-IP \$remote_addr;/);
    expect(conf).toMatch(/location = \/metrics \{\s*return 404;/);
    // Access logs take the path without its query string.
    expect(conf).toMatch(/"route":"\$uri"/);
    const logFormat = /log_format parley_json[^;]*;/.exec(conf)?.[0] ?? "";
    expect(logFormat).toMatch(/"route":"\$uri"/);
    expect(logFormat).not.toMatch(/\$request[" ]|\$request_uri|\$args|\$query_string/);
  });

  it.skipIf(missingTool("nginx", "nginx-light"))("is accepted by `nginx -t`", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "parley-nginx-t-"));
    const certs = makeCertificates();
    try {
      // Adapted to this machine, everything else tested as written: Debian's nginx (1.22)
      // predates `resolve` in upstreams, there is no Docker DNS, and a test process may
      // have no /dev/stdout to open.
      const local = conf
        .replace(/^\s*resolver .*$/m, "")
        .replace(/server api\d+:3000 resolve/g, "server 127.0.0.1:9")
        .replace(/pid \/tmp\/nginx.pid;/, `pid ${dir}/nginx.pid;`)
        .replace(/\/dev\/std(out|err)/g, `${dir}/std$1.log`)
        .replace(/\/etc\/nginx\/certs\//g, `${certs.dir}/`);
      writeFileSync(path.join(dir, "nginx.conf"), local);
      const result = spawnSync(
        findTool("nginx")!,
        ["-t", "-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")],
        {
          encoding: "utf8",
        },
      );
      expect(result.status, result.stderr).toBe(0);
    } finally {
      certs.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the Dockerfile", () => {
  const dockerfile = read("Dockerfile");

  it("builds the web app in a stage, installs without the Electron binary and runs the server with tsx", () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD=1/);
    expect(dockerfile).toMatch(/npm ci --ignore-scripts/);
    expect(dockerfile).toMatch(/npm run build -w @parley\/web/);
    expect(dockerfile).toMatch(/COPY --from=build .*apps\/web\/dist/);
    expect(dockerfile).toMatch(/CMD \["node", "--import", "tsx", "apps\/api\/src\/main.ts"\]/);
    // What the image runs is what `npm start -w @parley/server` runs.
    const serverPackage = JSON.parse(read("apps/api/package.json")) as {
      scripts: { start: string };
    };
    expect(serverPackage.scripts.start).toBe("node --import tsx src/main.ts");
  });

  it("keeps host installs, builds and secrets out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim());
    for (const entry of ["**/node_modules", "**/dist", ".env", ".data", ".git"])
      expect(ignored).toContain(entry);
  });
});

describe("configuration documentation", () => {
  // Every variable env.ts reads, from its schema's keys.
  const envSource = read("apps/api/src/env.ts");
  const schema = envSource.slice(
    envSource.indexOf("const envSchema"),
    envSource.indexOf("export type Env"),
  );
  const variables = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);

  it("lists every variable the server reads in the README's configuration table", () => {
    expect(variables).toEqual(
      expect.arrayContaining(["DATABASE_URL", "REDIS_URL", "METRICS_TOKEN", "JWT_SECRET"]),
    );
    const documented = new Set(
      [...read("README.md").matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]),
    );
    for (const name of variables)
      expect(documented.has(name), `document ${name} in README.md`).toBe(true);
  });

  it("passes every variable on to the compose replicas (paths inside the image aside)", () => {
    const compose = parseYaml(read("docker-compose.yml"), { merge: true }) as {
      services: Record<string, { environment?: Record<string, unknown> }>;
    };
    const apiEnv = Object.keys(compose.services.api1?.environment ?? {});
    for (const name of variables.filter((v) => !["DATA_DIR", "WEB_DIST"].includes(v))) {
      expect(apiEnv, `add ${name} to the api environment in docker-compose.yml`).toContain(name);
    }
  });
});

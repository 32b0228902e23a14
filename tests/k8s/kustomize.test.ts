// Renders every overlay of deploy/k8s with `kubectl kustomize` (offline) and reviews the
// result: workloads, probes, security, selectors, autoscaling, network policies, secrets.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot, servicesRequired } from "@parley/testing";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "@parley/server/env";
import { review, type Manifest } from "./review";

const run = promisify(execFile);
const overlays = ["dev", "prod"] as const;

function kubectlMissing(): string | false {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return false;
  } catch {
    const reason = "kubectl is not installed (apt-get install kubectl)";
    if (servicesRequired) throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
    return reason;
  }
}
const skip = kubectlMissing();
if (skip) console.warn(`k8s manifest tests skipped: ${skip}`);

async function render(overlay: string): Promise<Manifest[]> {
  const dir = path.join(repoRoot, "deploy", "k8s", "overlays", overlay);
  const { stdout } = await run("kubectl", ["kustomize", dir], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJSON() as Manifest)
    .filter(Boolean);
}

const docs = readFileSync(path.join(repoRoot, "docs", "kubernetes.md"), "utf8");
const documentedEnv = new Set(
  [
    ...readFileSync(path.join(repoRoot, "README.md"), "utf8").matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm),
  ].map((m) => m[1]!),
);

const find = (ms: Manifest[], kind: string, name: string) =>
  ms.find((m) => m.kind === kind && m.metadata.name === name);
const apiContainer = (ms: Manifest[]) =>
  find(ms, "Deployment", "parley-api")!.spec.template.spec.containers.find(
    (c: Manifest) => c.name === "api",
  );
const envOf = (ms: Manifest[], name: string) =>
  apiContainer(ms).env.find((e: Manifest) => e.name === name);

describe.skipIf(skip)("deploy/k8s overlays", () => {
  const rendered: Record<string, Manifest[]> = {};
  beforeAll(async () => {
    for (const overlay of overlays) rendered[overlay] = await render(overlay);
  });

  it.each(overlays)("%s passes the review", (overlay) => {
    expect(review({ manifests: rendered[overlay]!, docs, documentedEnv })).toEqual([]);
  });

  it.each(overlays)("%s: the server accepts the environment the pods get", (overlay) => {
    const ms = rendered[overlay]!;
    const config = ms.find(
      (m) => m.kind === "ConfigMap" && m.metadata.name.startsWith("parley-config"),
    )!;
    const pg = { PGUSER: "parley", PGPASSWORD: "s3cret", PGDATABASE: "parley" };
    const replica = String(envOf(ms, "DATABASE_REPLICA_URL").value).replace(
      /\$\((\w+)\)/g,
      (_, name: keyof typeof pg) => pg[name],
    );
    const env = loadEnv({
      ...config.data,
      DATABASE_URL: "postgresql://parley:s3cret@parley-db-rw.parley:5432/parley",
      DATABASE_REPLICA_URL: replica,
      REDIS_URL: "redis://parley-redis:6379",
      JWT_SECRET: randomBytes(48).toString("base64"),
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      METRICS_TOKEN: randomBytes(24).toString("base64url"),
    });
    expect(env.MIGRATE_ON_START).toBe(false);
    expect(env.TRUST_PROXY).toBe(true);
    expect(env.NODE_ENV).toBe("production");
  });

  it("prod: three API pods, a primary and two replicas, -rw as DATABASE_URL and -ro as DATABASE_REPLICA_URL", () => {
    const ms = rendered.prod!;
    expect(find(ms, "Deployment", "parley-api")!.spec.replicas).toBe(3);
    const cluster = find(ms, "Cluster", "parley-db")!;
    expect(cluster.apiVersion).toBe("postgresql.cnpg.io/v1");
    expect(cluster.spec.instances).toBe(3);
    expect(envOf(ms, "DATABASE_URL").valueFrom.secretKeyRef).toEqual({
      name: "parley-db-app",
      key: "uri",
    });
    expect(new URL(envOf(ms, "DATABASE_REPLICA_URL").value.replace(/\$\(\w+\)/g, "x")).host).toBe(
      "parley-db-ro:5432",
    );
  });

  it("prod: Redis is external (REDIS_URL from the Secret), and no Secret is committed", () => {
    const ms = rendered.prod!;
    expect(ms.filter((m) => m.kind === "StatefulSet")).toEqual([]);
    expect(ms.filter((m) => m.kind === "Secret")).toEqual([]);
    expect(envOf(ms, "REDIS_URL").valueFrom.secretKeyRef).toEqual({
      name: "parley-secrets",
      key: "REDIS_URL",
    });
  });

  it("prod: the HPA scales on CPU and on open streams through the custom metrics API", () => {
    const hpa = find(rendered.prod!, "HorizontalPodAutoscaler", "parley-api")!;
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(3);
    expect(hpa.spec.metrics).toContainEqual(
      expect.objectContaining({
        type: "Pods",
        pods: expect.objectContaining({ metric: { name: "parley_open_streams" } }),
      }),
    );
    const adapter = readFileSync(
      path.join(repoRoot, "deploy/k8s/extras/prometheus-adapter.yaml"),
      "utf8",
    );
    expect(adapter).toContain("as: parley_open_streams");
  });

  it.each(overlays)("%s: a migration Job migrates; the replicas do not", (overlay) => {
    const ms = rendered[overlay]!;
    const job = find(ms, "Job", "parley-migrate")!;
    expect(job.spec.template.spec.containers[0].command).toEqual([
      "node",
      "--import",
      "tsx",
      "apps/api/src/migrate.ts",
    ]);
    const config = ms.find(
      (m) => m.kind === "ConfigMap" && m.metadata.name.startsWith("parley-config"),
    )!;
    expect(config.data.MIGRATE_ON_START).toBe("0");
    expect(job.spec.template.spec.containers[0].image).toBe(apiContainer(ms).image);
  });

  it.each(overlays)(
    "%s: the API is reachable only from the ingress controller and Prometheus",
    (overlay) => {
      const policy = find(rendered[overlay]!, "NetworkPolicy", "parley-api")!;
      const sources = policy.spec.ingress.flatMap((rule: Manifest) =>
        rule.from.map(
          (f: Manifest) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"],
        ),
      );
      expect(sources.sort()).toEqual(["ingress-nginx", "monitoring"]);
    },
  );

  it.each(overlays)(
    "%s: Postgres accepts the API, the migration Job, its own instances and the operator",
    (overlay) => {
      const policy = find(rendered[overlay]!, "NetworkPolicy", "parley-db")!;
      const apps = policy.spec.ingress[0].from[0].podSelector.matchExpressions.find(
        (e: Manifest) => e.key === "app.kubernetes.io/component",
      );
      expect(apps.values).toEqual(["api", "migrate"]);
      const namespaces = policy.spec.ingress.flatMap((rule: Manifest) =>
        rule.from
          .map((f: Manifest) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"])
          .filter(Boolean),
      );
      expect(namespaces.sort()).toEqual(["cnpg-system", "monitoring"]);
    },
  );

  it("dev: Redis runs as a StatefulSet reachable only from the API", () => {
    const ms = rendered.dev!;
    expect(find(ms, "StatefulSet", "parley-redis")).toBeDefined();
    const policy = find(ms, "NetworkPolicy", "parley-redis")!;
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: {
                "app.kubernetes.io/name": "parley",
                "app.kubernetes.io/component": "api",
              },
            },
          },
        ],
        ports: [{ port: 6379, protocol: "TCP" }],
      },
    ]);
  });

  // The review must be able to fail: each broken copy is caught with the right complaint.
  describe("the review catches", () => {
    const broken = (change: (ms: Manifest[]) => void) => {
      const ms = structuredClone(rendered.prod!);
      change(ms);
      return review({ manifests: ms, docs, documentedEnv });
    };
    const api = (ms: Manifest[]) => find(ms, "Deployment", "parley-api")!;

    it("a missing probe, a writable root filesystem, a missing limit", () => {
      const problems = broken((ms) => {
        const c = apiContainer(ms);
        delete c.readinessProbe;
        c.securityContext.readOnlyRootFilesystem = false;
        delete c.resources.limits.memory;
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringContaining("no readinessProbe"),
          expect.stringContaining("root filesystem is writable"),
          expect.stringContaining("no memory limit"),
        ]),
      );
    });

    it("a selector that does not match, an HPA and PDB aimed elsewhere", () => {
      const problems = broken((ms) => {
        api(ms).spec.selector.matchLabels["app.kubernetes.io/component"] = "web";
        find(ms, "HorizontalPodAutoscaler", "parley-api")!.spec.scaleTargetRef.name = "other";
        find(ms, "PodDisruptionBudget", "parley-api")!.spec.selector.matchLabels[
          "app.kubernetes.io/component"
        ] = "web";
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          "Deployment/parley-api: selector does not match its pod labels",
          "HorizontalPodAutoscaler/parley-api: does not target a Deployment of these manifests",
          "PodDisruptionBudget/parley-api: selects no Deployment's pods",
        ]),
      );
    });

    it("an image on :latest or without a tag, an undocumented secret key", () => {
      const problems = broken((ms) => {
        apiContainer(ms).image = "ghcr.io/parley-chat/parley-server:latest";
        find(ms, "Job", "parley-migrate")!.spec.template.spec.containers[0].image = "parley-server";
        apiContainer(ms).env.push({
          name: "REDIS_URL",
          valueFrom: { secretKeyRef: { name: "parley-secrets", key: "UNDOCUMENTED_KEY" } },
        });
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringContaining('moving tag "latest"'),
          expect.stringContaining("parley-server is not pinned by tag"),
          expect.stringContaining("key UNDOCUMENTED_KEY of parley-secrets is not documented"),
        ]),
      );
    });

    it("a grace period too short for preStop and the drain", () => {
      const problems = broken((ms) => {
        api(ms).spec.template.spec.terminationGracePeriodSeconds = 8;
      });
      expect(problems).toEqual([expect.stringContaining("terminationGracePeriodSeconds 8")]);
    });
  });
});

// What a reviewer checks in rendered Kubernetes manifests, as a list of problems (empty when
// all is well), so the test can also show that a broken manifest is caught.

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML */
export type Manifest = Record<string, any>;

const WORKLOADS = new Set(["Deployment", "StatefulSet", "Job"]);
/** The server's own drain cap on SIGTERM (apps/api/src/main.ts). */
export const SERVER_DRAIN_MS = 10_000;

export interface ReviewInput {
  manifests: Manifest[];
  /** Text of docs/kubernetes.md: every Secret and ConfigMap key must be named in it. */
  docs: string;
  /** Variable names of the README's configuration table. */
  documentedEnv: Set<string>;
}

const nameOf = (m: Manifest) => `${m.kind}/${m.metadata?.name}`;

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>) {
  if (!selector || !Object.keys(selector).length) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function matchesSelector(selector: any, labels: Record<string, string>): boolean {
  const exact = selector?.matchLabels ?? {};
  const expressions: any[] = selector?.matchExpressions ?? [];
  if (!Object.keys(exact).length && !expressions.length) return false;
  return (
    Object.entries(exact).every(([k, v]) => labels?.[k] === v) &&
    expressions.every((e) =>
      e.operator === "In"
        ? e.values.includes(labels?.[e.key])
        : e.operator === "NotIn"
          ? !e.values.includes(labels?.[e.key])
          : e.operator === "Exists"
            ? e.key in (labels ?? {})
            : !(e.key in (labels ?? {})),
    )
  );
}

function podTemplate(m: Manifest) {
  return m.spec?.template;
}

/** Labels of every pod the manifests make, CloudNativePG instances included. */
function podLabelSets(manifests: Manifest[]): Array<Record<string, string>> {
  const sets = manifests
    .filter((m) => WORKLOADS.has(m.kind))
    .map((m) => podTemplate(m)?.metadata?.labels ?? {});
  for (const cluster of manifests.filter((m) => m.kind === "Cluster")) {
    sets.push({ "cnpg.io/cluster": cluster.metadata.name });
  }
  return sets;
}

function imageProblems(where: string, image: string | undefined): string[] {
  if (!image) return [`${where}: no image`];
  if (image.includes("@sha256:")) return [];
  const lastSlash = image.lastIndexOf("/");
  const tag = image.slice(lastSlash + 1).split(":")[1];
  if (!tag) return [`${where}: image ${image} is not pinned by tag`];
  if (tag === "latest") return [`${where}: image ${image} uses the moving tag "latest"`];
  return [];
}

function containerProblems(where: string, pod: any, container: any, isJob: boolean): string[] {
  const problems: string[] = [];
  const at = `${where} container ${container.name}`;
  problems.push(...imageProblems(at, container.image));
  const res = container.resources ?? {};
  for (const r of ["cpu", "memory"]) {
    if (!res.requests?.[r]) problems.push(`${at}: no ${r} request`);
  }
  if (!res.limits?.memory) problems.push(`${at}: no memory limit`);
  if (!res.limits?.cpu) problems.push(`${at}: no cpu limit`);
  const sc = container.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  if (!(sc.runAsNonRoot ?? podSc.runAsNonRoot)) problems.push(`${at}: may run as root`);
  if ((sc.runAsUser ?? podSc.runAsUser) === 0) problems.push(`${at}: runs as uid 0`);
  if (sc.allowPrivilegeEscalation !== false)
    problems.push(`${at}: allowPrivilegeEscalation is not false`);
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: root filesystem is writable`);
  if (sc.privileged === true) problems.push(`${at}: privileged`);
  if (!sc.capabilities?.drop?.includes("ALL")) problems.push(`${at}: capabilities not dropped`);
  if (!isJob) {
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      if (!container[probe]) problems.push(`${at}: no ${probe}`);
    }
  }
  return problems;
}

/** The API's own rules: probe paths, draining on shutdown. */
function apiProblems(deployment: Manifest): string[] {
  const problems: string[] = [];
  const at = nameOf(deployment);
  const pod = podTemplate(deployment).spec;
  const api = pod.containers.find((c: any) => c.name === "api");
  if (!api) return [`${at}: no container named api`];
  if (api.readinessProbe?.httpGet?.path !== "/readyz")
    problems.push(`${at}: readiness probe is not GET /readyz`);
  if (api.livenessProbe?.httpGet?.path !== "/healthz")
    problems.push(`${at}: liveness probe is not GET /healthz`);
  const preStop = api.lifecycle?.preStop;
  if (!preStop) problems.push(`${at}: no preStop hook`);
  const sleepSeconds =
    Number(
      preStop?.sleep?.seconds ?? preStop?.exec?.command?.find((c: string) => /^\d+$/.test(c)),
    ) || 0;
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (grace * 1000 < sleepSeconds * 1000 + SERVER_DRAIN_MS + 5_000) {
    problems.push(
      `${at}: terminationGracePeriodSeconds ${grace} leaves no room for preStop (${sleepSeconds} s) and the drain`,
    );
  }
  if ((deployment.spec.replicas ?? 1) < 2) problems.push(`${at}: fewer than 2 replicas`);
  return problems;
}

function envKeyProblems(input: ReviewInput, workload: Manifest): string[] {
  const problems: string[] = [];
  const at = nameOf(workload);
  for (const c of podTemplate(workload).spec.containers ?? []) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
      if (ref && !input.docs.includes(`\`${ref.key}\``))
        problems.push(
          `${at}: key ${ref.key} of ${ref.name} is not documented in docs/kubernetes.md`,
        );
      if (ref && !input.docs.includes(`\`${ref.name}\``))
        problems.push(`${at}: ${ref.name} is not documented in docs/kubernetes.md`);
      if (c.name === "api" && !/^PG[A-Z]+$/.test(e.name) && !input.documentedEnv.has(e.name))
        problems.push(`${at}: ${e.name} is not in the README's configuration table`);
    }
  }
  return problems;
}

export function review(input: ReviewInput): string[] {
  const { manifests } = input;
  const problems: string[] = [];
  const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const pods = podLabelSets(manifests);

  for (const m of manifests.filter((w) => WORKLOADS.has(w.kind))) {
    const template = podTemplate(m);
    const pod = template?.spec ?? {};
    if (m.kind !== "Job" && !matchesSelector(m.spec.selector, template?.metadata?.labels))
      problems.push(`${nameOf(m)}: selector does not match its pod labels`);
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])])
      problems.push(...containerProblems(nameOf(m), pod, c, m.kind === "Job"));
    problems.push(...envKeyProblems(input, m));
  }

  // ConfigMaps and Secrets made by the manifests: every key documented.
  for (const m of [...byKind("ConfigMap"), ...byKind("Secret")]) {
    for (const key of Object.keys({ ...m.data, ...m.stringData })) {
      if (!input.docs.includes(`\`${key}\``))
        problems.push(`${nameOf(m)}: key ${key} is not documented in docs/kubernetes.md`);
      if (!input.documentedEnv.has(key) && !["NODE_OPTIONS"].includes(key))
        problems.push(`${nameOf(m)}: ${key} is not in the README's configuration table`);
    }
  }

  const deployments = byKind("Deployment");
  const api = deployments.find((d) => d.metadata.name === "parley-api");
  if (!api) problems.push("no Deployment parley-api");
  else problems.push(...apiProblems(api));

  for (const svc of byKind("Service")) {
    if (!pods.some((labels) => matches(svc.spec.selector, labels)))
      problems.push(`${nameOf(svc)}: selects no pods`);
  }

  for (const hpa of byKind("HorizontalPodAutoscaler")) {
    const target = hpa.spec.scaleTargetRef;
    if (target?.kind !== "Deployment" || !deployments.some((d) => d.metadata.name === target.name))
      problems.push(`${nameOf(hpa)}: does not target a Deployment of these manifests`);
    if (!hpa.spec.metrics?.some((m: any) => m.resource?.name === "cpu"))
      problems.push(`${nameOf(hpa)}: does not scale on CPU`);
    if ((hpa.spec.minReplicas ?? 1) < 2)
      problems.push(`${nameOf(hpa)}: may scale down to a single pod`);
  }

  for (const pdb of byKind("PodDisruptionBudget")) {
    const covers = deployments.some((d) =>
      matchesSelector(pdb.spec.selector, podTemplate(d)?.metadata?.labels),
    );
    if (!covers) problems.push(`${nameOf(pdb)}: selects no Deployment's pods`);
    if (pdb.spec.maxUnavailable === undefined && pdb.spec.minAvailable === undefined)
      problems.push(`${nameOf(pdb)}: neither maxUnavailable nor minAvailable`);
  }
  if (api && !byKind("PodDisruptionBudget").length) problems.push("no PodDisruptionBudget");
  if (api && !byKind("HorizontalPodAutoscaler").length) problems.push("no HorizontalPodAutoscaler");

  for (const np of byKind("NetworkPolicy")) {
    if (!pods.some((labels) => matchesSelector(np.spec.podSelector, labels)))
      problems.push(`${nameOf(np)}: applies to no pod`);
  }

  for (const ing of byKind("Ingress")) {
    const hosts = (ing.spec.rules ?? []).map((r: any) => r.host);
    const tlsHosts = new Set((ing.spec.tls ?? []).flatMap((t: any) => t.hosts ?? []));
    if (!hosts.length || hosts.some((h: string) => !tlsHosts.has(h)))
      problems.push(`${nameOf(ing)}: a host without TLS`);
    for (const rule of ing.spec.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const backend = path.backend.service;
        const svc = byKind("Service").find((s) => s.metadata.name === backend.name);
        const port = svc?.spec.ports.find(
          (p: any) => p.name === backend.port.name || p.port === backend.port.number,
        );
        if (!port) problems.push(`${nameOf(ing)}: backend ${backend.name} has no such port`);
      }
    }
  }

  for (const sm of byKind("ServiceMonitor")) {
    const svc = byKind("Service").find((s) =>
      matches(sm.spec.selector.matchLabels, s.metadata.labels),
    );
    if (!svc) problems.push(`${nameOf(sm)}: selects no Service`);
    for (const ep of sm.spec.endpoints ?? []) {
      if (svc && !svc.spec.ports.some((p: any) => p.name === ep.port))
        problems.push(`${nameOf(sm)}: port ${ep.port} is not a port of ${svc.metadata.name}`);
    }
  }

  for (const cluster of byKind("Cluster")) {
    problems.push(...imageProblems(nameOf(cluster), cluster.spec.imageName));
  }
  return problems;
}

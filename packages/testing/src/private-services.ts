import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { serverBinaries } from "./binaries";
import { freePort, repoRoot, waitFor } from "./processes";
import { fetchTrusting, type TestCertificates } from "./tls";

/** A server the test owns and may stop and start again on the same port. */
export interface PrivateService {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it for good and deletes its files. */
  destroy(): Promise<void>;
}

/** Resolves true when something accepts TCP connections on the port. */
export function portOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Services still running when the test process exits are stopped here, so none leaks. */
const exitHooks = new Set<() => void>();
process.once("exit", () => {
  for (const hook of exitHooks) hook();
});

/**
 * A throwaway PostgreSQL cluster (initdb in a temp folder, trust auth, no fsync) on a free
 * loopback port. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
 * OS user through runuser.
 */
export async function startPrivatePostgres(
  options: {
    /** Makes a hot-standby streaming replica of this (private) primary instead:
     * `pg_basebackup -R` copies it and keeps following its WAL. */
    standbyOf?: PrivateService;
    /** Serves TLS (`ssl = on`) with this certificate, e.g. from makeCertificates(). */
    tls?: Pick<TestCertificates, "certFile" | "keyFile">;
  } = {},
): Promise<PrivateService> {
  const { postgresBin } = serverBinaries();
  const dir = mkdtempSync(path.join(tmpdir(), "parley-pg-"));
  const dataDir = path.join(dir, "data");
  const asRoot = userInfo().uid === 0;
  let owner: { uid: number; gid: number } | null = null;
  if (asRoot) {
    const pgUser = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const uid = Number(pgUser.stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    if (pgUser.status !== 0 || !Number.isInteger(uid))
      throw new Error("no `postgres` OS user to run PostgreSQL as");
    chownSync(dir, uid, gid);
    owner = { uid, gid };
  }
  // Postgres reads its key only if the server's user owns it and nobody else can read it.
  const tlsFiles = options.tls
    ? { cert: path.join(dir, "server.crt"), key: path.join(dir, "server.key") }
    : null;
  if (options.tls && tlsFiles) {
    copyFileSync(options.tls.certFile, tlsFiles.cert);
    copyFileSync(options.tls.keyFile, tlsFiles.key);
    chmodSync(tlsFiles.key, 0o600);
    if (owner) {
      chownSync(tlsFiles.cert, owner.uid, owner.gid);
      chownSync(tlsFiles.key, owner.uid, owner.gid);
    }
  }
  const run = (bin: string, args: string[]) => {
    const command = asRoot ? "runuser" : path.join(postgresBin, bin);
    const fullArgs = asRoot ? ["-u", "postgres", "--", path.join(postgresBin, bin), ...args] : args;
    const result = spawnSync(command, fullArgs, { encoding: "utf8", cwd: dir, timeout: 60_000 });
    if (result.status !== 0) {
      throw new Error(
        `${bin} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
      );
    }
  };
  if (options.standbyOf) {
    run("pg_basebackup", [
      ...["-h", "127.0.0.1", "-p", String(options.standbyOf.port), "-U", "postgres"],
      ...["-D", dataDir, "-R", "-X", "stream", "--no-sync", "-c", "fast"],
    ]);
  } else {
    run("initdb", [
      "-D",
      dataDir,
      "-A",
      "trust",
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--no-sync",
      "--no-instructions",
    ]);
  }
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=200",
    ...(tlsFiles
      ? ["-c ssl=on", `-c ssl_cert_file=${tlsFiles.cert}`, `-c ssl_key_file=${tlsFiles.key}`]
      : []),
  ].join(" ");
  const logFile = path.join(dir, "postgres.log");
  let running = false;

  const service: PrivateService = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      run("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", serverOptions, "-w", "-t", "60", "start"]);
      running = true;
    },
    async stop() {
      if (!running) return;
      // fast: disconnects clients at once, as a crash or failover would.
      run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"]);
      running = false;
    },
    async destroy() {
      exitHooks.delete(emergencyStop);
      if (running) run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const emergencyStop = () => {
    if (running)
      spawnSync(asRoot ? "runuser" : path.join(postgresBin, "pg_ctl"), [
        ...(asRoot ? ["-u", "postgres", "--", path.join(postgresBin, "pg_ctl")] : []),
        "-D",
        dataDir,
        "-m",
        "immediate",
        "stop",
      ]);
    rmSync(dir, { recursive: true, force: true });
  };
  exitHooks.add(emergencyStop);
  await service.start();
  return service;
}

/** A redis-server of our own on a free loopback port, without persistence; with `tls`, it
 * speaks only TLS on that port (`--tls-port`, plain port off) and `url` is rediss://. */
export async function startPrivateRedis(
  options: { tls?: Pick<TestCertificates, "certFile" | "keyFile" | "caFile"> } = {},
): Promise<PrivateService> {
  const { redisServer } = serverBinaries();
  const dir = mkdtempSync(path.join(tmpdir(), "parley-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = "";

  const service: PrivateService = {
    url: `${options.tls ? "rediss" : "redis"}://127.0.0.1:${port}`,
    port,
    async start() {
      if (child) return;
      const started = spawn(
        redisServer,
        [
          ...(options.tls
            ? [
                ...["--port", "0", "--tls-port", String(port)],
                ...["--tls-cert-file", options.tls.certFile, "--tls-key-file", options.tls.keyFile],
                ...["--tls-ca-cert-file", options.tls.caFile, "--tls-auth-clients", "no"],
              ]
            : ["--port", String(port)]),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          dir,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      child = started;
      started.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-10_000)));
      started.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-10_000)));
      started.once("exit", () => {
        if (child === started) child = undefined;
      });
      await waitFor(`redis-server on port ${port}\n${output}`, () => portOpen(port), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
    },
    async stop() {
      const current = child;
      if (!current) return;
      const exited = new Promise<void>((resolve) => current.once("exit", () => resolve()));
      current.kill("SIGTERM");
      const force = setTimeout(() => current.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(force);
      child = undefined;
    },
    async destroy() {
      exitHooks.delete(emergencyStop);
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const emergencyStop = () => {
    child?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  exitHooks.add(emergencyStop);
  await service.start();
  return service;
}

export interface PrivateNginx {
  /** https://localhost:PORT */
  url: string;
  port: number;
  /** http://localhost:PORT: answers only with redirects to `url`. */
  httpUrl: string;
  /** A fetch that trusts the certificates' CA. */
  fetch: typeof fetch;
  stop(): Promise<void>;
}

/**
 * Debian's nginx in the foreground with a generated config: TLS with `certs` (the protocol,
 * cipher and HSTS settings of infra/nginx.conf), plain HTTP redirected, round robin over
 * `upstreams` (host:port), SSE-friendly (no buffering, long reads), X-Real-IP set from the
 * peer address. Everything it writes (pid, logs, temp files) stays in its own temp folder.
 */
export async function startNginx(
  upstreams: string[],
  certs: TestCertificates,
): Promise<PrivateNginx> {
  const { nginx } = serverBinaries();
  const dir = mkdtempSync(path.join(tmpdir(), "parley-nginx-"));
  const port = await freePort();
  const httpPort = await freePort();
  const config = nginxConfig({ dir, port, httpPort, upstreams, certs });
  writeFileSync(path.join(dir, "nginx.conf"), config);
  let output = "";
  const child = spawn(
    nginx,
    ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const emergencyStop = () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  exitHooks.add(emergencyStop);
  let ended = false;
  void exited.then(() => (ended = true));
  await waitFor(
    `nginx on port ${port}`,
    async () => {
      if (ended) throw new Error(`nginx exited:\n${output}`);
      return (await portOpen(port)) && portOpen(httpPort);
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  return {
    url: `https://localhost:${port}`,
    port,
    httpUrl: `http://localhost:${httpPort}`,
    fetch: fetchTrusting(certs.ca),
    async stop() {
      exitHooks.delete(emergencyStop);
      if (!ended) {
        child.kill("SIGQUIT"); // graceful: finishes open requests
        const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(force);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The TLS settings of the production config, so the tests run what is deployed. */
function productionTlsSettings(): string[] {
  const conf = readFileSync(path.join(repoRoot, "infra", "nginx.conf"), "utf8");
  const lines = conf.match(
    /^\s*(ssl_protocols|ssl_ciphers|ssl_prefer_server_ciphers|ssl_session_\w+|proxy_hide_header Strict-Transport-Security|add_header Strict-Transport-Security)\b.*;$/gm,
  );
  if (!lines || lines.length < 6) throw new Error("infra/nginx.conf lost its TLS settings");
  return lines.map((line) => line.trim());
}

export function nginxConfig({
  dir,
  port,
  httpPort,
  upstreams,
  certs,
}: {
  dir: string;
  port: number;
  httpPort: number;
  upstreams: string[];
  certs: TestCertificates;
}): string {
  const temp = (name: string) => path.join(dir, name);
  const tls = productionTlsSettings().map((line) => `    ${line}`);
  return `daemon off;
worker_processes 1;
pid ${temp("nginx.pid")};
error_log ${temp("error.log")} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${temp("body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  upstream parley {
${upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=2s;`).join("\n")}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${httpPort};
    location / {
      return 301 https://$host:${port}$request_uri;
    }
  }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${certs.certFile};
    ssl_certificate_key ${certs.keyFile};
${tls.join("\n")}
    client_max_body_size 1m;
    location / {
      proxy_pass http://parley;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Server-sent events: pass each chunk on at once and keep idle streams open.
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout http_502;
      proxy_next_upstream_tries 3;
    }
  }
}
`;
}

// Several API replicas behind nginx, sharing one PostgreSQL and one Redis, all real
// processes on loopback. The tests run in order on one cluster: the later ones stop Redis
// and Postgres, which the earlier ones need.
import { defaultRateLimits } from "@parley/api";
import { randomUUID } from "node:crypto";
import { createParleyClient, signUp, TRPCClientError, type ParleyClient } from "@parley/client";
import { spawnSync } from "node:child_process";
import { missingServerBinaries, waitFor } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readiness, startCluster, type Cluster } from "./cluster";

const skip = missingServerBinaries();

/** The tRPC error code of a failed call, or "ok". */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (error) {
    if (error instanceof TRPCClientError) return String(error.data?.code ?? error.message);
    throw error;
  }
}

/** The fixture's reply to a `[[fixture words=N]]` marker: "w1 w2 ... wN". */
const numbered = (count: number) => Array.from({ length: count }, (_, i) => `w${i + 1}`).join(" ");

interface Followed {
  text: string;
  lastEventId: string | null;
  /** The final status, or null when we stopped reading early. */
  status: string | null;
}

/**
 * Reads a reply's stream (chat.stream over SSE) until it ends, or until `stopAfterChars`
 * characters arrived: then it disconnects, as a closed laptop would.
 */
function followReply(
  client: ParleyClient,
  messageId: string,
  options: { lastEventId?: string | null; stopAfterChars?: number; timeoutMs?: number } = {},
): Promise<Followed> {
  return new Promise((resolve, reject) => {
    const result: Followed = { text: "", lastEventId: options.lastEventId ?? null, status: null };
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`stream did not end in time; got ${JSON.stringify(result)}`));
    }, options.timeoutMs ?? 60_000);
    const finish = () => {
      clearTimeout(timer);
      subscription.unsubscribe();
      resolve(result);
    };
    const subscription = client.chat.stream.subscribe(
      { messageId, lastEventId: options.lastEventId ?? null },
      {
        onData(event) {
          const { id, data } = event as { id: string; data: { delta?: string; status?: string } };
          result.lastEventId = id;
          if (data.delta) result.text += data.delta;
          if (data.status) {
            result.status = data.status;
            return finish();
          }
          if (options.stopAfterChars !== undefined && result.text.length >= options.stopAfterChars)
            finish();
        },
        onError(error) {
          clearTimeout(timer);
          reject(error);
        },
      },
    );
  });
}

describe.skipIf(skip)(`three API replicas behind nginx${skip ? ` (${skip})` : ""}`, () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster();
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  const replica = (i: number) => cluster.replicas[i]!;
  /** Through nginx over HTTPS, trusting the test's CA. */
  const viaNginx = (token?: string) =>
    createParleyClient({ url: cluster.nginx.url, token, fetch: cluster.nginx.fetch });
  const signUpViaNginx = () => signUp(cluster.nginx.url, {}, { fetch: cluster.nginx.fetch });

  it("serves HTTPS only: HTTP is redirected, HSTS is sent, TLS 1.1 is refused", async () => {
    const plain = await cluster.nginx.fetch(`${cluster.nginx.httpUrl}/trpc/auth.me`);
    expect(plain.status).toBe(301);
    expect(plain.headers.get("location")).toBe(`${cluster.nginx.url}/trpc/auth.me`);
    const secure = await cluster.nginx.fetch(`${cluster.nginx.url}/readyz`);
    expect(secure.status).toBe(200);
    expect(secure.headers.getSetCookie?.() ?? []).toEqual([]);
    expect(secure.headers.get("strict-transport-security")).toBe(
      "max-age=63072000; includeSubDomains",
    );
    const tls11 = spawnSync(
      "openssl",
      [
        "s_client",
        "-connect",
        `127.0.0.1:${cluster.nginx.port}`,
        "-tls1_1",
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
      ],
      { input: "", encoding: "utf8", timeout: 20_000 },
    );
    expect(tls11.status).not.toBe(0);
    expect(tls11.stderr).toMatch(/alert protocol version/i);
  });

  it("signs in over HTTPS with a Secure refresh cookie and streams a reply", async () => {
    const account = await signUpViaNginx();
    const login = await cluster.nginx.fetch(`${cluster.nginx.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: cluster.nginx.url },
      body: JSON.stringify({ json: { login: account.user.username, password: account.password } }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^parley_refresh=/);
    expect(cookie).toMatch(/;\s*Secure/);
    const client = viaNginx(account.accessToken);
    const sent = await client.chat.send.mutate({
      content: "[[fixture words=30 delay=10]] Over TLS.",
      clientMessageId: randomUUID(),
    });
    const reply = await followReply(client, sent.assistantMessage.id);
    expect(reply).toMatchObject({ status: "complete", text: numbered(30) });
  });

  it("a session made on one replica works on every other one and through nginx", async () => {
    const account = await signUp(replica(0).url);
    for (const target of [replica(1).url, replica(2).url, cluster.nginx.url]) {
      const me = await createParleyClient({
        url: target,
        token: account.accessToken,
        fetch: cluster.nginx.fetch,
      }).auth.me.query();
      expect(me.id).toBe(account.user.id);
    }
    // Logging out on one replica ends the session on all of them at once.
    await createParleyClient({
      url: replica(2).url,
      token: account.accessToken,
    }).auth.logout.mutate();
    for (const target of [replica(0).url, replica(1).url]) {
      const client = createParleyClient({ url: target, token: account.accessToken });
      expect(await outcome(client.auth.me.query())).toBe("UNAUTHORIZED");
    }
  });

  it("shares the login rate limit between replicas", async () => {
    const account = await signUp(replica(0).url);
    const attacker = { "x-real-ip": "203.0.113.77" };
    const tryLogin = (url: string, password: string, headers = attacker) =>
      outcome(
        createParleyClient({ url, headers }).auth.login.mutate({
          login: account.user.username,
          password,
          refreshTokenInBody: true,
        }),
      );
    // Spread wrong passwords over the replicas until one refuses: with per-process limits
    // each replica would allow its own full budget, three times as many in all.
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      const result = await tryLogin(replica(attempt % 3).url, "wrong-password");
      outcomes.push(result);
      if (result === "TOO_MANY_REQUESTS") break;
    }
    const allowed = outcomes.filter((o) => o === "UNAUTHORIZED").length;
    expect(outcomes.at(-1)).toBe("TOO_MANY_REQUESTS");
    // Now every replica refuses this account from this address, even the right password...
    for (const i of [0, 1, 2])
      expect(await tryLogin(replica(i).url, account.password)).toBe("TOO_MANY_REQUESTS");
    // ...while the owner, elsewhere, still gets in.
    expect(await tryLogin(replica(1).url, account.password, { "x-real-ip": "198.51.100.5" })).toBe(
      "ok",
    );
    // One budget for all replicas: exactly the configured number of tries, not one per replica.
    expect(allowed).toBe(defaultRateLimits.loginPerAccountAndIp.limit);
  });

  it("resumes a stream on another replica with no gap and no duplicate", async () => {
    const account = await signUpViaNginx();
    const onA = createParleyClient({ url: replica(0).url, token: account.accessToken });
    const onB = createParleyClient({ url: replica(1).url, token: account.accessToken });
    const sent = await onA.chat.send.mutate({
      content: "[[fixture words=80 delay=20]] Count for me.",
      clientMessageId: randomUUID(),
    });
    const first = await followReply(onA, sent.assistantMessage.id, { stopAfterChars: 40 });
    expect(first.status).toBeNull();
    expect(first.lastEventId).toBeTruthy();
    const rest = await followReply(onB, sent.assistantMessage.id, {
      lastEventId: first.lastEventId,
    });
    expect(rest.status).toBe("complete");
    expect(first.text + rest.text).toBe(numbered(80));
    // And a reader arriving later, through nginx, gets the whole reply once.
    const late = await followReply(viaNginx(account.accessToken), sent.assistantMessage.id);
    expect(late.text).toBe(numbered(80));
  });

  it("killing a replica mid-stream loses no message and leaves the reply interrupted with its partial text", async () => {
    const account = await signUpViaNginx();
    const victim = replica(0);
    const onVictim = createParleyClient({ url: victim.url, token: account.accessToken });
    const onB = createParleyClient({ url: replica(1).url, token: account.accessToken });
    const content = "[[fixture words=400 delay=25]] Tell me everything.";
    // The replica that takes chat.send runs the generation.
    const sent = await onVictim.chat.send.mutate({ content, clientMessageId: randomUUID() });
    const seen = await followReply(onB, sent.assistantMessage.id, { stopAfterChars: 200 });
    // Let a throttled save of the partial text reach the database, then crash the replica.
    await new Promise((r) => setTimeout(r, 1_500));
    await cluster.killReplica(victim);

    let reply: { status: string; content: string } | undefined;
    await waitFor(
      "another replica's sweep to mark the reply interrupted",
      async () => {
        const page = await onB.chat.messages.list.query({ conversationId: sent.conversation.id });
        reply = page.items.find((m) => m.id === sent.assistantMessage.id);
        return reply?.status === "interrupted";
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    const page = await onB.chat.messages.list.query({ conversationId: sent.conversation.id });
    const userMessage = page.items.find((m) => m.id === sent.userMessage.id);
    expect(userMessage?.content).toBe(content);
    // The partial text is kept: at least what a reader had already seen, and a true prefix.
    expect(reply!.content.length).toBeGreaterThanOrEqual(seen.text.length);
    expect(reply!.content.length).toBeLessThan(numbered(400).length);
    expect(numbered(400).startsWith(reply!.content)).toBe(true);
    // A reader that resumes on a surviving replica gets the rest of that text and the verdict.
    const resumed = await followReply(onB, sent.assistantMessage.id, {
      lastEventId: seen.lastEventId,
    });
    expect(resumed.status).toBe("interrupted");
    expect(seen.text + resumed.text).toBe(reply!.content);

    await cluster.startReplica(victim);
    expect((await readiness(victim.url)).status).toBe(200);
  });

  it("degrades while Redis is down (sign-in and history still work) and recovers when it returns", async () => {
    const account = await signUpViaNginx();
    const before = viaNginx(account.accessToken);
    const sent = await before.chat.send.mutate({
      content: "[[fixture words=5]] Remember this.",
      clientMessageId: randomUUID(),
    });
    expect((await followReply(before, sent.assistantMessage.id)).status).toBe("complete");
    await cluster.redis.stop();
    try {
      for (const r of cluster.replicas) {
        await waitFor(`${r.name} to report the cache degraded`, async () => {
          const ready = await readiness(r.url);
          return ready.status === 200 && ready.body.cache === "degraded";
        });
      }
      // Sign-in, an existing session and reading history go to Postgres.
      const fresh = await createParleyClient({ url: replica(1).url }).auth.login.mutate({
        login: account.user.email,
        password: account.password,
        refreshTokenInBody: true,
      });
      for (const r of cluster.replicas) {
        const client = createParleyClient({ url: r.url, token: fresh.accessToken });
        expect((await client.auth.me.query()).id).toBe(account.user.id);
        const sessions = await createParleyClient({
          url: r.url,
          token: account.accessToken,
        }).auth.sessions.list.query();
        expect(sessions.length).toBeGreaterThanOrEqual(2);
        const history = await client.chat.messages.list.query({
          conversationId: sent.conversation.id,
        });
        expect(history.items.map((m) => m.content)).toEqual([
          "[[fixture words=5]] Remember this.",
          numbered(5),
        ]);
      }
    } finally {
      await cluster.redis.start();
    }
    for (const r of cluster.replicas) {
      await waitFor(
        `${r.name} to report the cache ok again`,
        async () => (await readiness(r.url)).body.cache === "ok",
      );
    }
    // Back on Redis: a logout on one replica still ends the session everywhere.
    await createParleyClient({
      url: replica(0).url,
      token: account.accessToken,
    }).auth.logout.mutate();
    for (const r of cluster.replicas) {
      expect(
        await outcome(
          createParleyClient({ url: r.url, token: account.accessToken }).auth.me.query(),
        ),
      ).toBe("UNAUTHORIZED");
    }
  });

  it("answers clear 503s while Postgres is down and recovers without a restart", async () => {
    const account = await signUpViaNginx();
    const pids = cluster.replicas.map((r) => r.process?.process.pid);
    await cluster.postgres.stop();
    try {
      for (const r of cluster.replicas) {
        const ready = await readiness(r.url);
        expect(ready.status).toBe(503);
        expect(ready.body.database).toBe("unreachable");
      }
      // Through nginx, as a browser sees it: HTTP 503 with a tRPC error saying why.
      const me = await cluster.nginx.fetch(`${cluster.nginx.url}/trpc/auth.me`, {
        headers: { authorization: `Bearer ${account.accessToken}` },
      });
      expect(me.status).toBe(503);
      const body = (await me.json()) as {
        error: { json: { message: string; data: { code: string } } };
      };
      expect(body.error.json.data.code).toBe("SERVICE_UNAVAILABLE");
      expect(body.error.json.message).not.toMatch(/prisma|ECONNREFUSED|stack/i);
      const login = createParleyClient({ url: replica(2).url }).auth.login.mutate({
        login: account.user.username,
        password: account.password,
        refreshTokenInBody: true,
      });
      expect(await outcome(login)).toBe("SERVICE_UNAVAILABLE");
    } finally {
      await cluster.postgres.start();
    }
    for (const r of cluster.replicas) {
      await waitFor(
        `${r.name} to be ready again`,
        async () => (await readiness(r.url)).status === 200,
        {
          timeoutMs: 30_000,
        },
      );
      const client = createParleyClient({ url: r.url, token: account.accessToken });
      expect((await client.auth.me.query()).id).toBe(account.user.id);
    }
    // Same processes: nothing was restarted.
    expect(cluster.replicas.map((r) => r.process?.process.pid)).toEqual(pids);
  });
});

import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import { missing, redisUrl } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createChatRuntime,
  createMemoryChangeSignal,
  openProviderKey,
  type ChatRuntime,
} from "../src";
import { createRedis, waitForRedis } from "../src/infra/redis";
import {
  collectStream,
  createChatTestContext,
  eventually,
  newClientId,
  type ChatTestContext,
} from "./chat-support";
import { codeOf, type Registered } from "./support";

type Api = Awaited<ReturnType<ChatTestContext["as"]>>;

const SECOND_KEY = "sk-second-provider-0123456789abcdef";

let t: ChatTestContext;
let second: ModelFixture;
let admin: Registered;
let bob: Registered;
let asAdmin: Api;
let asBob: Api;
let closedPort: number;
let htmlServer: ReturnType<typeof createServer>;
let htmlUrl: string;

beforeAll(async () => {
  t = await createChatTestContext();
  admin = await t.register("prov_admin");
  expect(admin.role).toBe("admin");
  bob = await t.register("prov_bob");
  asAdmin = await t.as(admin);
  asBob = await t.as(bob);
  // A second OpenAI-compatible server that wants its own key, listing a model id that the
  // environment's provider offers too.
  second = await startModelFixture({
    apiKey: SECOND_KEY,
    models: ["fixture-small", "second-only"],
  });
  // A port nothing listens on, and a web server that is no API.
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => probe.once("listening", resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  htmlServer = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<html><body>Welcome to nginx!</body></html>");
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => htmlServer.once("listening", resolve));
  htmlUrl = `http://127.0.0.1:${(htmlServer.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await t?.cleanup();
  await second?.close();
  htmlServer?.close();
});

const fields = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  baseUrl: second.baseUrl,
  models: [] as string[],
  visionModels: [] as string[],
  enabled: true,
  ...extra,
});

async function rawRow(id: string) {
  const rows = await t.deps.db.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
    `SELECT * FROM providers WHERE id = '${id}'`,
  );
  return rows[0]!;
}

describe("providers (admin only)", () => {
  it("refuses users and an admin's API key without the admin scope", async () => {
    const created = await asAdmin.providers.create(fields("Refusal check"));
    try {
      for (const call of [
        () => asBob.providers.list(),
        () => asBob.providers.create(fields("Sneaky")),
        () => asBob.providers.update({ id: created.id, ...fields("Taken over") }),
        () => asBob.providers.delete({ id: created.id }),
        () => asBob.providers.test({ id: created.id }),
      ])
        expect(await codeOf(call())).toBe("FORBIDDEN");
      const weak = await asAdmin.auth.apiKeys.create({
        name: "no admin",
        scopes: ["chat", "read"],
      });
      const strong = await asAdmin.auth.apiKeys.create({
        name: "admin",
        scopes: ["read", "admin"],
      });
      const byKey = async (secret: string) => (await t.caller({ token: secret })).api;
      expect(await codeOf((await byKey(weak.secret)).providers.list())).toBe("FORBIDDEN");
      expect(await codeOf((await byKey(strong.secret)).providers.list())).toBe("OK");
      // Nothing was changed by the refused calls.
      const listed = (await asAdmin.providers.list()).find((p) => p.id === created.id);
      expect(listed).toMatchObject({ name: "Refusal check" });
    } finally {
      await asAdmin.providers.delete({ id: created.id });
    }
  });

  it("never returns the key, keeps it sealed in the row, and keeps, replaces or clears it", async () => {
    const created = await asAdmin.providers.create(fields("Sealed", { apiKey: SECOND_KEY }));
    try {
      expect(created).toMatchObject({ name: "Sealed", hasApiKey: true, environment: false });
      const listed = await asAdmin.providers.list();
      expect(JSON.stringify(listed)).not.toContain(SECOND_KEY);
      expect(JSON.stringify(created)).not.toContain(SECOND_KEY);
      expect(listed[0]).toMatchObject({ id: "environment", environment: true, hasApiKey: true });

      const row = await rawRow(created.id);
      expect(JSON.stringify(row)).not.toContain(SECOND_KEY);
      expect(JSON.stringify(row)).not.toContain(SECOND_KEY.slice(-16));
      const sealed = row.api_key_sealed as string;
      expect(openProviderKey(t.deps.keyRing, created.id, sealed)).toBe(SECOND_KEY);

      // Absent: kept as it was.
      await asAdmin.providers.update({ id: created.id, ...fields("Sealed, renamed") });
      expect((await rawRow(created.id)).api_key_sealed).toBe(sealed);
      // A value: replaced. Null: cleared.
      const replaced = await asAdmin.providers.update({
        id: created.id,
        ...fields("Sealed, renamed"),
        apiKey: "sk-another-key-000000000000",
      });
      expect(replaced.hasApiKey).toBe(true);
      const replacedSealed = (await rawRow(created.id)).api_key_sealed as string;
      expect(replacedSealed).not.toBe(sealed);
      expect(openProviderKey(t.deps.keyRing, created.id, replacedSealed)).toBe(
        "sk-another-key-000000000000",
      );
      const cleared = await asAdmin.providers.update({
        id: created.id,
        ...fields("Sealed, renamed"),
        apiKey: null,
      });
      expect(cleared.hasApiKey).toBe(false);
      expect((await rawRow(created.id)).api_key_sealed).toBeNull();

      const actions = await t.deps.db.prisma.auditEvent.findMany({
        where: { actorId: admin.id, action: { startsWith: "provider." } },
        orderBy: { createdAt: "asc" },
      });
      expect(JSON.stringify(actions)).not.toContain(SECOND_KEY);
      expect(actions.map((a) => a.action)).toEqual(
        expect.arrayContaining(["provider.created", "provider.updated"]),
      );
    } finally {
      await asAdmin.providers.delete({ id: created.id });
    }
    const deleted = await t.deps.db.prisma.auditEvent.findFirst({
      where: { action: "provider.deleted", details: { path: ["providerId"], equals: created.id } },
    });
    expect(deleted).not.toBeNull();
  });

  it("validates names, base URLs and model lists", async () => {
    expect(await codeOf(asAdmin.providers.create(fields("Bad URL", { baseUrl: "ftp://x" })))).toBe(
      "BAD_REQUEST",
    );
    expect(
      await codeOf(asAdmin.providers.create(fields("Bad URL", { baseUrl: "javascript:alert(1)" }))),
    ).toBe("BAD_REQUEST");
    expect(await codeOf(asAdmin.providers.create(fields("  ")))).toBe("BAD_REQUEST");
    expect(await codeOf(asAdmin.providers.create(fields("Nul\u0000name")))).toBe("BAD_REQUEST");
    expect(
      await codeOf(
        asAdmin.providers.create(fields("Vision", { models: ["a"], visionModels: ["b"] })),
      ),
    ).toBe("BAD_REQUEST");
    const one = await asAdmin.providers.create(fields("Unique"));
    try {
      expect(await codeOf(asAdmin.providers.create(fields("Unique")))).toBe("CONFLICT");
    } finally {
      await asAdmin.providers.delete({ id: one.id });
    }
    expect(await codeOf(asAdmin.providers.delete({ id: one.id }))).toBe("NOT_FOUND");
  });

  it("tests a connection: the models it lists, or why it failed", async () => {
    expect(await asAdmin.providers.test({ baseUrl: second.baseUrl, apiKey: SECOND_KEY })).toEqual({
      ok: true,
      models: ["fixture-small", "second-only"],
    });
    expect(await asAdmin.providers.test({ baseUrl: second.baseUrl })).toMatchObject({
      ok: false,
      error: "unauthorized",
      message: expect.stringMatching(/refused the API key \(HTTP 401\)/),
    });
    expect(
      await asAdmin.providers.test({ baseUrl: `http://127.0.0.1:${closedPort}/v1` }),
    ).toMatchObject({ ok: false, error: "unreachable", message: /Could not connect/ });
    expect(await asAdmin.providers.test({ baseUrl: htmlUrl })).toMatchObject({
      ok: false,
      error: "incompatible",
    });
    // A saved provider is tested with its stored key, unless another is given.
    const saved = await asAdmin.providers.create(fields("Saved key", { apiKey: SECOND_KEY }));
    try {
      expect(await asAdmin.providers.test({ id: saved.id })).toMatchObject({ ok: true });
      expect(await asAdmin.providers.test({ id: saved.id, apiKey: "wrong" })).toMatchObject({
        ok: false,
        error: "unauthorized",
      });
    } finally {
      await asAdmin.providers.delete({ id: saved.id });
    }
  });
});

describe("several providers at once", () => {
  it("lists the models of both, and a send to each model reaches its own server", async () => {
    const added = await asAdmin.providers.create(
      fields("Second", { apiKey: SECOND_KEY, visionModels: [] }),
    );
    try {
      const models = await asBob.chat.models();
      expect(models.providers.map((p) => p.name)).toEqual(["Environment", "Second"]);
      const secondGroup = models.providers[1]!;
      // The same model id at two providers: told apart by the provider's id.
      expect(secondGroup.models).toEqual([
        { id: `${added.id}/fixture-small`, name: "fixture-small", vision: false },
        { id: `${added.id}/second-only`, name: "second-only", vision: false },
      ]);
      expect(models.models).toEqual([
        "fixture-small",
        "fixture-large",
        `${added.id}/fixture-small`,
        `${added.id}/second-only`,
      ]);
      expect(models.defaultModel).toBe("fixture-small");

      t.fixture.reset();
      second.reset();
      const conversation = await asBob.chat.conversations.create({
        model: `${added.id}/fixture-small`,
      });
      const toSecond = await asBob.chat.send({
        conversationId: conversation.id,
        content: "for the second provider",
        clientMessageId: newClientId(),
      });
      const reply = await collectStream(
        await asBob.chat.stream({ messageId: toSecond.assistantMessage.id }),
      );
      expect(reply.final).toMatchObject({ status: "complete" });
      const streamed = second.calls.filter((c) => c.stream);
      expect(streamed).toHaveLength(1);
      // The provider is asked for its own id of the model.
      expect(streamed[0]!.model).toBe("fixture-small");
      expect(t.fixture.calls.filter((c) => c.stream)).toHaveLength(0);
      // The conversation's title is asked of the same provider.
      await eventually(async () => (second.calls.some((c) => !c.stream) ? true : undefined));

      // A bare model id (as conversations made before providers stored it) is the
      // environment's.
      const toEnv = await asBob.chat.send({
        content: "for the environment",
        clientMessageId: newClientId(),
      });
      await collectStream(await asBob.chat.stream({ messageId: toEnv.assistantMessage.id }));
      expect(t.fixture.calls.filter((c) => c.stream).map((c) => c.model)).toEqual([
        "fixture-small",
      ]);
      expect(second.calls.filter((c) => c.stream)).toHaveLength(1);

      // Regenerating in the second provider's conversation goes there again.
      await asBob.chat.regenerate({ messageId: toSecond.assistantMessage.id });
      await eventually(async () =>
        second.calls.filter((c) => c.stream).length === 2 ? true : undefined,
      );

      // Turned off: its models are no longer offered, and the conversation falls back to
      // the default model.
      await asAdmin.providers.update({ id: added.id, ...fields("Second"), enabled: false });
      expect((await asBob.chat.models()).models).toEqual(["fixture-small", "fixture-large"]);
      expect(
        await codeOf(asBob.chat.conversations.create({ model: `${added.id}/second-only` })),
      ).toBe("BAD_REQUEST");
      const fallback = await asBob.chat.send({
        conversationId: conversation.id,
        content: "after it was turned off",
        clientMessageId: newClientId(),
      });
      await collectStream(await asBob.chat.stream({ messageId: fallback.assistantMessage.id }));
      expect(t.fixture.calls.filter((c) => c.stream)).toHaveLength(2);
      expect(second.calls.filter((c) => c.stream)).toHaveLength(2);
    } finally {
      await asAdmin.providers.delete({ id: added.id });
    }
  });

  it("images go only to the models marked as taking them", async () => {
    const added = await asAdmin.providers.create(
      fields("Vision", {
        apiKey: SECOND_KEY,
        models: ["second-only"],
        visionModels: ["second-only"],
      }),
    );
    try {
      const models = await asBob.chat.models();
      expect(models.providers.find((p) => p.id === added.id)!.models).toEqual([
        { id: `${added.id}/second-only`, name: "second-only", vision: true },
      ]);
      const route = await t.deps.chat!.provider.route(`${added.id}/second-only`);
      expect(route).toMatchObject({ providerName: "Vision", model: "second-only", vision: true });
    } finally {
      await asAdmin.providers.delete({ id: added.id });
    }
  });

  it("a change made through one replica reaches another's model list", async () => {
    // Two runtimes over one database, as two replicas: a change signal shared in-process
    // here; the Redis twin is the change-signal contract's.
    const changes = createMemoryChangeSignal();
    const replica = createChatRuntime({
      db: t.deps.db,
      redis: null,
      keyRing: t.deps.keyRing,
      changes,
      ai: { models: [] },
    });
    const other = createChatRuntime({
      db: t.deps.db,
      redis: null,
      keyRing: t.deps.keyRing,
      changes,
      ai: { models: [] },
    });
    try {
      expect((await replica.provider.catalog()).models).toEqual([]);
      const { deps } = t;
      const original = deps.chat;
      deps.chat = other;
      let added: { id: string } | null = null;
      try {
        added = await asAdmin.providers.create(
          fields("Across replicas", { apiKey: SECOND_KEY, models: ["second-only"] }),
        );
      } finally {
        deps.chat = original;
      }
      // Read at once: the change told `replica` to drop what it had cached.
      expect((await replica.provider.catalog()).models).toEqual([`${added.id}/second-only`]);
      await asAdmin.providers.delete({ id: added.id });
      // Told through the test context's own runtime, not `changes`: `replica` still serves
      // its cached list until told.
      expect((await replica.provider.catalog()).models).toEqual([`${added.id}/second-only`]);
      await changes.notify("providers");
      expect((await replica.provider.catalog()).models).toEqual([]);
    } finally {
      await replica.close();
      await other.close();
    }
  });

  it.skipIf(missing("redis"))(
    "on Redis, a change on one replica reaches the other's model list",
    async () => {
      // Two runtimes with their own Redis connections and one key prefix: two replicas of
      // one deployment, each building its change signal on Redis.
      const keyPrefix = `test:providers:${randomUUID()}:`;
      const connections = [createRedis(redisUrl()!), createRedis(redisUrl()!)];
      await Promise.all(connections.map((c) => waitForRedis(c)));
      const [replica, other] = connections.map((redis) =>
        createChatRuntime({
          db: t.deps.db,
          redis,
          keyPrefix,
          keyRing: t.deps.keyRing,
          ai: { models: [] },
        }),
      ) as [ChatRuntime, ChatRuntime];
      const original = t.deps.chat;
      try {
        expect((await replica.provider.catalog()).models).toEqual([]);
        t.deps.chat = other;
        const added = await asAdmin.providers.create(
          fields("Across Redis", { apiKey: SECOND_KEY, models: ["second-only"] }),
        );
        await expect
          .poll(async () => (await replica.provider.catalog()).models, { timeout: 10_000 })
          .toEqual([`${added.id}/second-only`]);
        await asAdmin.providers.update({
          id: added.id,
          ...fields("Across Redis", { models: ["second-only"] }),
          enabled: false,
        });
        await expect
          .poll(async () => (await replica.provider.catalog()).models, { timeout: 10_000 })
          .toEqual([]);
        await asAdmin.providers.delete({ id: added.id });
      } finally {
        t.deps.chat = original;
        await replica.close();
        await other.close();
        for (const c of connections) c.disconnect();
      }
    },
  );
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatTestContext, newClientId, type ChatTestContext } from "./chat-support";
import { codeOf, type Registered } from "./support";
import { backendName } from "@parley/testing";

const where = backendName();

type Api = Awaited<ReturnType<ChatTestContext["caller"]>>["api"];

/** The error of a rejected call, as the client sees it. */
async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
    return { code: "OK", message: "" };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? "?", message: e.message ?? "" };
  }
}

describe(`API key scopes (${where})`, () => {
  let c: ChatTestContext;
  let admin: Registered;
  let owner: Registered;
  let ownerApi: Api;
  let adminApi: Api;
  const as = async (token: string) => (await c.caller({ token })).api;
  const keyOf = async (
    api: Api,
    input: { scopes?: ("chat" | "read" | "admin")[]; expiresAt?: Date | null } = {},
  ) => as((await api.auth.apiKeys.create({ name: "tool", ...input })).secret);

  beforeAll(async () => {
    c = await createChatTestContext();
    admin = await c.register("scope_admin");
    expect(admin.role).toBe("admin");
    owner = await c.register("scope_owner");
    ownerApi = await as(owner.accessToken);
    adminApi = await as(admin.accessToken);
  });
  afterAll(() => c?.cleanup());

  it("gives keys chat + read by default and lists scopes and expiry", async () => {
    const created = await ownerApi.auth.apiKeys.create({ name: "default" });
    expect(created).toMatchObject({ scopes: ["chat", "read"], expiresAt: null });
    const expiresAt = new Date(Date.now() + 7 * 24 * 3600_000);
    const readOnly = await ownerApi.auth.apiKeys.create({
      name: "reader",
      scopes: ["read", "read"],
      expiresAt,
    });
    const listed = await ownerApi.auth.apiKeys.list();
    expect(listed.find((k) => k.id === readOnly.id)).toMatchObject({
      scopes: ["read"],
      expiresAt,
    });
    expect(listed.find((k) => k.id === created.id)).toMatchObject({
      scopes: ["chat", "read"],
      expiresAt: null,
    });
  });

  it("refuses the admin scope to a non-admin, an empty or unknown scope, and a past expiry", async () => {
    const adminScope = await refusal(
      ownerApi.auth.apiKeys.create({ name: "sneaky", scopes: ["chat", "admin"] }),
    );
    expect(adminScope).toMatchObject({ code: "FORBIDDEN", message: /admin scope/ });
    expect(await codeOf(ownerApi.auth.apiKeys.create({ name: "none", scopes: [] }))).toBe(
      "BAD_REQUEST",
    );
    expect(
      await codeOf(ownerApi.auth.apiKeys.create({ name: "x", scopes: ["root" as "chat"] })),
    ).toBe("BAD_REQUEST");
    expect(
      await codeOf(
        ownerApi.auth.apiKeys.create({ name: "old", expiresAt: new Date(Date.now() - 1000) }),
      ),
    ).toBe("BAD_REQUEST");
    expect(
      await codeOf(
        ownerApi.auth.apiKeys.create({
          name: "forever",
          expiresAt: new Date(Date.now() + 6 * 365 * 24 * 3600_000),
        }),
      ),
    ).toBe("BAD_REQUEST");
  });

  it("an expired key is UNAUTHORIZED, also when it was cached while valid", async () => {
    const created = await ownerApi.auth.apiKeys.create({
      name: "short-lived",
      expiresAt: new Date(Date.now() + 1500),
    });
    const key = await as(created.secret);
    expect(await codeOf(key.auth.me())).toBe("OK");
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await codeOf((await as(created.secret)).auth.me())).toBe("UNAUTHORIZED");
    // Still listed, so its owner sees why a tool stopped working.
    const listed = await ownerApi.auth.apiKeys.list();
    expect(listed.find((k) => k.id === created.id)?.expiresAt?.getTime()).toBeLessThan(Date.now());
  });

  describe("no key changes the account, whatever its scopes", () => {
    let key: Api;
    let otherKeyId: string;
    let sessionId: string;
    beforeAll(async () => {
      // An admin's key with every scope: the strongest key there is.
      key = await keyOf(adminApi, { scopes: ["chat", "read", "admin"] });
      otherKeyId = (await adminApi.auth.apiKeys.create({ name: "other" })).id;
      sessionId = (await adminApi.auth.sessions.list())[0]!.id;
    });

    const refused: [string, () => Promise<unknown>][] = [
      ["user.update (email)", () => key.user.update({ email: "stolen@example.com" })],
      ["user.update (username)", () => key.user.update({ username: "stolen_name" })],
      [
        "user.changePassword",
        () => key.user.changePassword({ current: admin.password, next: "hijacked-password" }),
      ],
      ["user.delete", () => key.user.delete({ password: admin.password })],
      ["auth.sessions.revoke", () => key.auth.sessions.revoke({ id: sessionId })],
      ["auth.apiKeys.create", () => key.auth.apiKeys.create({ name: "more" })],
      ["auth.apiKeys.revoke", () => key.auth.apiKeys.revoke({ id: otherKeyId })],
      ["twoFactor.begin", () => key.twoFactor.begin()],
      ["twoFactor.confirm", () => key.twoFactor.confirm({ code: "123456" })],
      ["twoFactor.disable", () => key.twoFactor.disable({ password: admin.password })],
      [
        "twoFactor.regenerateRecoveryCodes",
        () => key.twoFactor.regenerateRecoveryCodes({ code: "123456" }),
      ],
    ];
    for (const [action, call] of refused) {
      it(`refuses ${action}`, async () => {
        expect(await refusal(call())).toMatchObject({ code: "FORBIDDEN", message: /API keys/ });
      });
    }

    it("and the account is unchanged afterwards", async () => {
      const me = await adminApi.auth.me();
      expect(me).toMatchObject({ email: admin.email, username: admin.username });
      expect((await adminApi.auth.sessions.list()).map((s) => s.id)).toContain(sessionId);
      expect((await adminApi.auth.apiKeys.list()).map((k) => k.id)).toContain(otherKeyId);
      expect(await codeOf(adminApi.auth.me())).toBe("OK");
    });
  });

  describe("a key without `read`", () => {
    let chatOnly: Api;
    beforeAll(async () => {
      chatOnly = await keyOf(ownerApi, { scopes: ["chat"] });
    });
    const reads: [string, (api: Api) => Promise<unknown>][] = [
      ["auth.me", (api) => api.auth.me()],
      ["chat.conversations.list", (api) => api.chat.conversations.list()],
      ["chat.models", (api) => api.chat.models()],
      ["user.usage", (api) => api.user.usage()],
      ["files.list", (api) => api.files.list()],
      ["auth.apiKeys.list", (api) => api.auth.apiKeys.list()],
      ["auth.sessions.list", (api) => api.auth.sessions.list()],
      ["audit.mine", (api) => api.audit.mine()],
      ["twoFactor.status", (api) => api.twoFactor.status()],
    ];
    for (const [action, call] of reads) {
      it(`cannot read with ${action}`, async () => {
        expect(await refusal(call(chatOnly))).toEqual({
          code: "FORBIDDEN",
          message: "This API key lacks the `read` scope",
        });
      });
    }

    it("can still send a message", async () => {
      const sent = await chatOnly.chat.send({
        clientMessageId: newClientId(),
        content: "hi from a tool",
      });
      expect(sent.conversation.id).toBeTruthy();
    });
  });

  describe("a key without `chat`", () => {
    let readOnly: Api;
    let conversationId: string;
    beforeAll(async () => {
      readOnly = await keyOf(ownerApi, { scopes: ["read"] });
      conversationId = (await ownerApi.chat.conversations.create({})).id;
    });
    const writes: [string, (api: Api) => Promise<unknown>][] = [
      ["chat.send", (api) => api.chat.send({ clientMessageId: newClientId(), content: "hello" })],
      ["chat.conversations.create", (api) => api.chat.conversations.create({})],
      [
        "chat.conversations.update",
        (api) => api.chat.conversations.update({ id: conversationId, title: "renamed" }),
      ],
      ["chat.conversations.delete", (api) => api.chat.conversations.delete({ id: conversationId })],
    ];
    for (const [action, call] of writes) {
      it(`cannot ${action}`, async () => {
        expect(await refusal(call(readOnly))).toEqual({
          code: "FORBIDDEN",
          message: "This API key lacks the `chat` scope",
        });
      });
    }

    it("can read the conversations and who it belongs to", async () => {
      expect(await readOnly.auth.me()).toMatchObject({ id: owner.id, via: "apiKey" });
      const list = await readOnly.chat.conversations.list();
      expect(list.items.map((i) => i.id)).toContain(conversationId);
    });
  });

  describe("admin procedures", () => {
    const adminCalls: [string, (api: Api) => Promise<unknown>][] = [
      ["user.admin.list", (api) => api.user.admin.list()],
      ["user.admin.usage", (api) => api.user.admin.usage()],
      [
        "user.admin.setQuota",
        (api) => api.user.admin.setQuota({ userId: owner.id, tokensPerDay: 1 }),
      ],
      ["user.admin.setRole", (api) => api.user.admin.setRole({ userId: owner.id, role: "admin" })],
      ["audit.list", (api) => api.audit.list()],
      ["registration.invitations.list", (api) => api.registration.invitations.list()],
      ["twoFactor.setRequired", (api) => api.twoFactor.setRequired({ required: true })],
    ];
    for (const [action, call] of adminCalls) {
      it(`an admin's key without \`admin\` cannot call ${action}`, async () => {
        const key = await keyOf(adminApi, { scopes: ["chat", "read"] });
        expect(await refusal(call(key))).toEqual({
          code: "FORBIDDEN",
          message: "This API key lacks the `admin` scope",
        });
      });
    }

    it("an admin's key with `admin` can call them; its owner demoted, it cannot", async () => {
      const second = await c.register("scope_admin_two");
      await adminApi.user.admin.setRole({ userId: second.id, role: "admin" });
      const secondApi = await as(second.accessToken);
      const created = await secondApi.auth.apiKeys.create({
        name: "ops",
        scopes: ["read", "admin"],
      });
      expect(await codeOf((await as(created.secret)).user.admin.list())).toBe("OK");
      await adminApi.user.admin.setRole({ userId: second.id, role: "user" });
      expect(await codeOf((await as(created.secret)).user.admin.list())).toBe("FORBIDDEN");
    });
  });
});

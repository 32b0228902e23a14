import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditAction } from "../src";
import { currentStep } from "../src/core/auth/totp";
import { sweepAuditEvents } from "../src/features/audit/sweeper";
import { codeOf, createAuthTestContext, type AuthTestContext, type Registered } from "./support";
import { backendName } from "@parley/testing";

const where = backendName();
const UA = "audit-test-agent/1.0";

describe(`audit log (${where})`, () => {
  let c: AuthTestContext;
  let admin: Registered;
  beforeAll(async () => {
    c = await createAuthTestContext();
    admin = await c.register("audit_admin");
  });
  afterAll(() => c?.cleanup());
  const as = async (token: string, ip = "10.8.0.1") =>
    (await c.caller({ token, ip, userAgent: UA })).api;
  const anonymous = async (ip = "10.8.0.2") => (await c.caller({ ip, userAgent: UA })).api;

  /** The caller's own newest event of `action`. */
  async function latest(token: string, action: AuditAction) {
    const page = await (await as(token)).audit.mine({ actions: [action] });
    return page.items[0];
  }

  it("records sign-in (ok and failed), sign-out and session revocation with IP and agent", async () => {
    const user = await c.register("audit_signin");
    await codeOf(
      (await anonymous("10.8.1.1")).auth.login({ login: user.username, password: "wrong-one" }),
    );
    const ok = await (
      await anonymous("10.8.1.2")
    ).auth.login({
      login: user.email,
      password: user.password,
      refreshTokenInBody: true,
    });
    expect(await latest(ok.accessToken, "sign_in.failed")).toMatchObject({
      ip: "10.8.1.1",
      userAgent: UA,
      details: { reason: "wrong_password" },
      subject: { id: user.id, username: user.username },
      actor: null,
    });
    expect(await latest(ok.accessToken, "sign_in.ok")).toMatchObject({
      ip: "10.8.1.2",
      details: { method: "password" },
      actor: { id: user.id },
    });

    await (
      await anonymous()
    ).auth.login({
      login: user.username,
      password: user.password,
    });
    const sessions = await (await as(ok.accessToken)).auth.sessions.list();
    const otherSession = sessions.find((s) => !s.current)!;
    await (await as(ok.accessToken)).auth.sessions.revoke({ id: otherSession.id });
    expect(await latest(ok.accessToken, "session.revoked")).toMatchObject({
      details: { sessionId: otherSession.id },
    });

    await (await as(ok.accessToken)).auth.logout();
    const fresh = await (
      await anonymous()
    ).auth.login({
      login: user.username,
      password: user.password,
    });
    const signOut = await latest(fresh.accessToken, "sign_out");
    expect(signOut?.details).toMatchObject({ sessionId: expect.any(String) });
  });

  it("a failed sign-in naming no account is seen by admins only", async () => {
    await codeOf(
      (await anonymous("10.8.2.1")).auth.login({ login: "nobody_here", password: "whatever-1" }),
    );
    const page = await (
      await as(admin.accessToken)
    ).audit.list({
      actions: ["sign_in.failed"],
      ip: "10.8.2.1",
    });
    expect(page.items[0]).toMatchObject({
      subject: null,
      details: { reason: "unknown_login", login: "nobody_here" },
    });
  });

  it("records refresh-token reuse", async () => {
    const user = await c.register("audit_reuse");
    const { api } = await c.caller();
    await api.auth.refresh({ refreshToken: user.refreshToken });
    await codeOf(api.auth.refresh({ refreshToken: user.refreshToken }));
    const again = await (
      await anonymous()
    ).auth.login({
      login: user.username,
      password: user.password,
    });
    expect(await latest(again.accessToken, "refresh_token.reused")).toMatchObject({
      subject: { id: user.id },
      details: { source: "body" },
    });
  });

  it("records password changes, API keys and 2FA on and off", async () => {
    const user = await c.register("audit_account");
    const api = await as(user.accessToken);
    await api.user.changePassword({ current: user.password, next: "a-new-password" });
    expect(await latest(user.accessToken, "password.changed")).toBeTruthy();

    const key = await api.auth.apiKeys.create({ name: "deploy script" });
    expect(await latest(user.accessToken, "api_key.created")).toMatchObject({
      details: { keyId: key.id, name: "deploy script" },
    });
    expect(JSON.stringify(await api.audit.mine())).not.toContain(key.secret);
    await api.auth.apiKeys.revoke({ id: key.id });
    expect(await latest(user.accessToken, "api_key.revoked")).toMatchObject({
      details: { keyId: key.id },
    });

    const { secret } = await api.twoFactor.begin();
    const code = (offset: number) =>
      generateHOTP(decodeBase32IgnorePadding(secret), currentStep() + BigInt(offset), 6);
    await api.twoFactor.confirm({ code: code(-1) });
    expect(await latest(user.accessToken, "two_factor.enabled")).toBeTruthy();
    await api.twoFactor.disable({ password: "a-new-password", code: code(0) });
    expect(await latest(user.accessToken, "two_factor.disabled")).toMatchObject({
      details: { method: "totp" },
    });
  });

  it("records role and disable changes with the admin as actor", async () => {
    const user = await c.register("audit_target");
    const adminApi = await as(admin.accessToken);
    await adminApi.user.admin.setRole({ userId: user.id, role: "admin" });
    await adminApi.user.admin.setRole({ userId: user.id, role: "user" });
    await adminApi.user.admin.setDisabled({ userId: user.id, disabled: true });
    await adminApi.user.admin.setDisabled({ userId: user.id, disabled: false });
    const page = await adminApi.audit.list({
      userId: user.id,
      actions: ["user.role_changed", "user.disabled", "user.enabled"],
    });
    expect(page.items.map((e) => [e.action, e.details])).toEqual([
      ["user.enabled", null],
      ["user.disabled", null],
      ["user.role_changed", { from: "admin", to: "user" }],
      ["user.role_changed", { from: "user", to: "admin" }],
    ]);
    for (const event of page.items) expect(event.actor).toMatchObject({ id: admin.id });
    const byActor = await adminApi.audit.list({ actorId: admin.id, userId: user.id });
    expect(byActor.items).toHaveLength(4);

    await adminApi.user.admin.setQuota({ userId: user.id, tokensPerDay: 5_000 });
    const quota = await adminApi.audit.list({ userId: user.id, actions: ["user.quota_changed"] });
    expect(quota.items[0]).toMatchObject({
      actor: { id: admin.id },
      details: { from: null, to: 5_000 },
    });
  });

  it("a user sees only their own events, whatever they ask for", async () => {
    const ann = await c.register("audit_ann");
    const bob = await c.register("audit_bob");
    await (await as(ann.accessToken)).auth.apiKeys.create({ name: "ann's key" });
    const bobApi = await as(bob.accessToken);
    const mine = await bobApi.audit.mine({ limit: 50 });
    expect(mine.items.length).toBeGreaterThan(0);
    for (const event of mine.items) expect(event.subject?.id).toBe(bob.id);
    // Unknown keys are stripped: naming Ann changes nothing.
    const sneaky = await bobApi.audit.mine({ userId: ann.id } as never);
    for (const event of sneaky.items) expect(event.subject?.id).toBe(bob.id);
    expect(await codeOf(bobApi.audit.list({ userId: ann.id }))).toBe("FORBIDDEN");
  });

  it("pages newest first with a cursor, and refuses bad filters", async () => {
    const user = await c.register("audit_pages");
    const api = await as(user.accessToken);
    for (let i = 0; i < 3; i++) await api.auth.apiKeys.create({ name: `key ${i}` });
    const first = await api.audit.mine({ limit: 2, actions: ["api_key.created"] });
    expect(first.items.map((e) => e.details?.name)).toEqual(["key 2", "key 1"]);
    const second = await api.audit.mine({
      limit: 2,
      actions: ["api_key.created"],
      cursor: first.nextCursor!,
    });
    expect(second.items.map((e) => e.details?.name)).toEqual(["key 0"]);
    expect(second.nextCursor).toBeNull();
    expect(await codeOf(api.audit.mine({ actions: ["made.up" as AuditAction] }))).toBe(
      "BAD_REQUEST",
    );
    expect(await codeOf(api.audit.mine({ limit: 10_000 }))).toBe("BAD_REQUEST");
  });

  it("the retention sweep removes events older than AUDIT_RETENTION_DAYS", async () => {
    const user = await c.register("audit_sweep");
    const old = new Date(Date.now() - 400 * 24 * 60 * 60 * 1000);
    await c.deps.db.prisma.auditEvent.create({
      data: { userId: user.id, action: "sign_in.ok", createdAt: old },
    });
    const count = () => c.deps.db.prisma.auditEvent.count({ where: { userId: user.id } });
    const before = await count();
    expect(await sweepAuditEvents(c.deps.db, 365)).toBeGreaterThanOrEqual(1);
    expect(await count()).toBe(before - 1);
    expect(
      await c.deps.db.prisma.auditEvent.count({
        where: { createdAt: { lt: new Date(Date.now() - 365 * 86_400_000) } },
      }),
    ).toBe(0);
  });
});

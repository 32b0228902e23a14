import { afterEach, describe, expect, it } from "vitest";
import type { RegistrationMode } from "../src";
import { codeOf, createAuthTestContext, type AuthTestContext } from "./support";
import { backendName } from "@parley/testing";

const where = backendName();

describe(`REGISTRATION modes and invitations (${where})`, () => {
  let c: AuthTestContext | undefined;
  afterEach(async () => {
    await c?.cleanup();
    c = undefined;
  });
  const start = async (registration: RegistrationMode) =>
    (c = await createAuthTestContext({ registration }));
  const signUp = async (
    ctx: AuthTestContext,
    name: string,
    extra: { inviteCode?: string; email?: string } = {},
  ) => {
    const { api } = await ctx.caller({ ip: `10.40.${name.length}.${name.charCodeAt(0)}` });
    return api.auth.register({
      username: name,
      email: extra.email ?? `${name}@example.com`,
      password: `${name}-password`,
      ...(extra.inviteCode ? { inviteCode: extra.inviteCode } : {}),
    });
  };

  it("open (the default): anyone signs up; the sign-in screen learns the first becomes admin", async () => {
    const ctx = await start("open");
    const { api } = await ctx.caller();
    expect(await api.registration.info()).toMatchObject({ mode: "open", firstAccount: true });
    expect((await signUp(ctx, "first")).user.role).toBe("admin");
    expect(await api.registration.info()).toMatchObject({ firstAccount: false });
    expect((await signUp(ctx, "second")).user.role).toBe("user");
  });

  it("invite: the first account is free, then only an admin's invitation, once", async () => {
    const ctx = await start("invite");
    const admin = await signUp(ctx, "boss");
    expect(admin.user.role).toBe("admin");
    const refused = signUp(ctx, "stranger");
    await expect(refused).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(refused).rejects.toThrow(/invitation/);

    const adminApi = (await ctx.caller({ token: admin.accessToken })).api;
    const { code, invitation } = await adminApi.registration.invitations.create({ days: 3 });
    expect(invitation.status).toBe("open");
    expect(JSON.stringify(await adminApi.registration.invitations.list())).not.toContain(code);
    expect(await codeOf(signUp(ctx, "guesser", { inviteCode: "not-a-real-code" }))).toBe(
      "FORBIDDEN",
    );
    expect((await signUp(ctx, "invited", { inviteCode: code })).user.role).toBe("user");
    expect(await codeOf(signUp(ctx, "second_use", { inviteCode: code }))).toBe("FORBIDDEN");
    const [listed] = await adminApi.registration.invitations.list();
    expect(listed).toMatchObject({ id: invitation.id, status: "used" });
  });

  it("invite: an invitation bound to an email, or revoked, lets nobody else in", async () => {
    const ctx = await start("invite");
    const admin = await signUp(ctx, "boss");
    const adminApi = (await ctx.caller({ token: admin.accessToken })).api;
    const bound = await adminApi.registration.invitations.create({ email: "Only@Example.com" });
    expect(await codeOf(signUp(ctx, "other", { inviteCode: bound.code }))).toBe("FORBIDDEN");
    // The refused attempt did not spend it.
    const ok = await signUp(ctx, "only", { inviteCode: bound.code, email: "only@example.com" });
    expect(ok.user.email).toBe("only@example.com");

    const revoked = await adminApi.registration.invitations.create({});
    await adminApi.registration.invitations.revoke({ id: revoked.invitation.id });
    expect(await codeOf(signUp(ctx, "late", { inviteCode: revoked.code }))).toBe("FORBIDDEN");
    expect(
      await codeOf(adminApi.registration.invitations.revoke({ id: revoked.invitation.id })),
    ).toBe("NOT_FOUND");
  });

  it("invitations are for admins only", async () => {
    const ctx = await start("invite");
    const admin = await signUp(ctx, "boss");
    const adminApi = (await ctx.caller({ token: admin.accessToken })).api;
    const { code } = await adminApi.registration.invitations.create({});
    const member = await signUp(ctx, "member", { inviteCode: code });
    const api = (await ctx.caller({ token: member.accessToken })).api;
    expect(await codeOf(api.registration.invitations.create({}))).toBe("FORBIDDEN");
    expect(await codeOf(api.registration.invitations.list())).toBe("FORBIDDEN");
  });

  it("closed: only the very first account can be made", async () => {
    const ctx = await start("closed");
    const { api } = await ctx.caller();
    expect(await api.registration.info()).toMatchObject({ mode: "closed", firstAccount: true });
    expect((await signUp(ctx, "owner")).user.role).toBe("admin");
    const refused = signUp(ctx, "anyone");
    await expect(refused).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(refused).rejects.toThrow(/closed/);
    expect(await ctx.deps.db.prisma.user.count()).toBe(1);
  });
});

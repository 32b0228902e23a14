import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentStep } from "../src/core/auth/totp";
import { codeOf, createAuthTestContext, type AuthTestContext, type Registered } from "./support";
import { backendName } from "@parley/testing";

const where = backendName();

/** The code an authenticator shows `offset` steps from now. Each accepted code must be of a
 * later step than the last, so a test uses -1, 0, +1 in that order. */
function codeAt(secret: string, offset: number): string {
  return generateHOTP(decodeBase32IgnorePadding(secret), currentStep() + BigInt(offset), 6);
}

/** What a refused login carries: the second step's challenge. */
async function challengeOf(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => null,
    (e: unknown) => e,
  )) as { code?: string; cause?: { details?: Record<string, unknown> } } | null;
  expect(error?.code).toBe("PRECONDITION_FAILED");
  const details = error!.cause!.details!;
  return { purpose: details.twoFactor as string, challenge: details.challenge as string };
}

describe(`two-factor sign-in (${where})`, () => {
  let c: AuthTestContext;
  let admin: Registered;
  beforeAll(async () => {
    c = await createAuthTestContext();
    admin = await c.register("tf_admin");
  });
  afterAll(() => c?.cleanup());
  const as = async (token: string) => (await c.caller({ token })).api;
  const anonymous = async () => (await c.caller()).api;
  const sessionCount = (userId: string) => c.deps.db.prisma.session.count({ where: { userId } });

  /** Registers a user and turns TOTP on with the code of step -1. */
  async function enrolled(name: string) {
    const user = await c.register(name);
    const api = await as(user.accessToken);
    const { secret } = await api.twoFactor.begin();
    const { recoveryCodes } = await api.twoFactor.confirm({ code: codeAt(secret, -1) });
    return { user, api, secret, recoveryCodes };
  }

  it("enrols with a QR code and a confirmation code, and returns ten recovery codes", async () => {
    const user = await c.register("tf_enrol");
    const api = await as(user.accessToken);
    expect(await api.twoFactor.status()).toMatchObject({ enabled: false, pending: false });

    const enrolment = await api.twoFactor.begin();
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\/Parley:tf_enrol\?/);
    expect(enrolment.uri).toContain(`secret=${enrolment.secret}`);
    const svg = Buffer.from(enrolment.qrCode.split(",")[1]!, "base64").toString();
    expect(enrolment.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(svg).toContain("<svg");
    expect(await api.twoFactor.status()).toMatchObject({ enabled: false, pending: true });

    // Stored sealed: the database never holds the secret in the clear.
    const row = await c.deps.db.prisma.totpCredential.findUnique({ where: { userId: user.id } });
    expect(row?.secretSealed).toBeTruthy();
    expect(row?.secretSealed).not.toContain(enrolment.secret);

    expect(await codeOf(api.twoFactor.confirm({ code: "000000" }))).toBe("BAD_REQUEST");
    const { recoveryCodes } = await api.twoFactor.confirm({ code: codeAt(enrolment.secret, 0) });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const stored = await c.deps.db.prisma.recoveryCode.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(10);
    for (const code of recoveryCodes)
      expect(stored.some((r) => r.codeHash.includes(code.replace(/-/g, "")))).toBe(false);

    expect(await api.twoFactor.status()).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    // On is on: a second enrolment must go through disabling first.
    expect(await codeOf(api.twoFactor.begin())).toBe("CONFLICT");
  });

  it("signs in in two steps: the password alone yields no session", async () => {
    const { user, secret } = await enrolled("tf_login");
    const before = await sessionCount(user.id);
    const { purpose, challenge } = await challengeOf(
      (await anonymous()).auth.login({ login: user.username, password: user.password }),
    );
    expect(purpose).toBe("code");
    expect(await sessionCount(user.id)).toBe(before);
    // The challenge is not an access token.
    expect(await codeOf((await as(challenge)).auth.me())).toBe("UNAUTHORIZED");

    const signedIn = await (
      await anonymous()
    ).auth.twoFactor.verify({ challenge, code: codeAt(secret, 0), refreshTokenInBody: true });
    expect(signedIn.refreshToken).toBeTruthy();
    expect(await (await as(signedIn.accessToken)).auth.me()).toMatchObject({ id: user.id });
    expect(await sessionCount(user.id)).toBe(before + 1);
  });

  it("refuses a code that was already used, and any older one", async () => {
    const { user, secret } = await enrolled("tf_replay");
    const step = async () =>
      (
        await challengeOf(
          (await anonymous()).auth.login({ login: user.username, password: user.password }),
        )
      ).challenge;
    const code = codeAt(secret, 0);
    await (await anonymous()).auth.twoFactor.verify({ challenge: await step(), code });
    const replay = (await anonymous()).auth.twoFactor.verify({ challenge: await step(), code });
    await expect(replay).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(replay).rejects.toThrow(/already used/);
    // The enrolment code (step -1) is older than the last one accepted.
    expect(
      await codeOf(
        (await anonymous()).auth.twoFactor.verify({
          challenge: await step(),
          code: codeAt(secret, -1),
        }),
      ),
    ).toBe("BAD_REQUEST");
  });

  it("accepts each recovery code once", async () => {
    const { user, api, recoveryCodes } = await enrolled("tf_recovery");
    const step = async () =>
      (
        await challengeOf(
          (await anonymous()).auth.login({ login: user.username, password: user.password }),
        )
      ).challenge;
    // Case and dashes do not matter when typed.
    const typed = recoveryCodes[3]!.toUpperCase().replace(/-/g, " ");
    const ok = await (
      await anonymous()
    ).auth.twoFactor.verify({ challenge: await step(), recoveryCode: typed });
    expect(ok.accessToken).toBeTruthy();
    expect(
      await codeOf(
        (await anonymous()).auth.twoFactor.verify({
          challenge: await step(),
          recoveryCode: recoveryCodes[3]!,
        }),
      ),
    ).toBe("BAD_REQUEST");
    expect(await api.twoFactor.status()).toMatchObject({ recoveryCodesLeft: 9 });
  });

  it("refuses a forged or foreign challenge", async () => {
    const { user, secret } = await enrolled("tf_forged");
    const { challenge } = await challengeOf(
      (await anonymous()).auth.login({ login: user.username, password: user.password }),
    );
    const [head, body] = challenge.split(".");
    const forged = `${head}.${body}.${"A".repeat(43)}`;
    expect(
      await codeOf(
        (await anonymous()).auth.twoFactor.verify({ challenge: forged, code: codeAt(secret, 0) }),
      ),
    ).toBe("UNAUTHORIZED");
    // An access token is not a challenge either.
    expect(
      await codeOf(
        (await anonymous()).auth.twoFactor.verify({
          challenge: user.accessToken,
          code: codeAt(secret, 0),
        }),
      ),
    ).toBe("UNAUTHORIZED");
  });

  it("turns off only with the password and a code", async () => {
    const { user, api, secret } = await enrolled("tf_disable");
    const wrongPassword = api.twoFactor.disable({ password: "nope-nope", code: codeAt(secret, 0) });
    expect(await codeOf(wrongPassword)).toBe("BAD_REQUEST");
    expect(await codeOf(api.twoFactor.disable({ password: user.password }))).toBe("BAD_REQUEST");
    expect(await codeOf(api.twoFactor.disable({ password: user.password, code: "123456" }))).toBe(
      "BAD_REQUEST",
    );
    await api.twoFactor.disable({ password: user.password, code: codeAt(secret, 1) });
    expect(await api.twoFactor.status()).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    const again = await (
      await anonymous()
    ).auth.login({ login: user.username, password: user.password });
    expect(again.accessToken).toBeTruthy();
  });

  it("cannot be changed with an API key", async () => {
    const user = await c.register("tf_apikey");
    const key = await (await as(user.accessToken)).auth.apiKeys.create({ name: "tool" });
    expect(await codeOf((await as(key.secret)).twoFactor.begin())).toBe("FORBIDDEN");
  });

  it("an admin can require it for everyone: others are signed out and must enrol", async () => {
    const plain = await c.register("tf_plain");
    const adminApi = await as(admin.accessToken);
    expect(
      await codeOf((await as(plain.accessToken)).twoFactor.setRequired({ required: true })),
    ).toBe("FORBIDDEN");
    // The admin must have a second factor before requiring one.
    expect(await codeOf(adminApi.twoFactor.setRequired({ required: true }))).toBe(
      "PRECONDITION_FAILED",
    );
    const { secret: adminSecret } = await adminApi.twoFactor.begin();
    await adminApi.twoFactor.confirm({ code: codeAt(adminSecret, 0) });
    await adminApi.twoFactor.setRequired({ required: true });
    try {
      expect(await codeOf((await as(plain.accessToken)).auth.me())).toBe("UNAUTHORIZED");
      expect(await (await as(admin.accessToken)).auth.me()).toMatchObject({ id: admin.id });

      const { purpose, challenge } = await challengeOf(
        (await anonymous()).auth.login({ login: plain.username, password: plain.password }),
      );
      expect(purpose).toBe("setup");
      // A setup challenge does not pass for a code challenge.
      expect(
        await codeOf((await anonymous()).auth.twoFactor.verify({ challenge, code: "123456" })),
      ).toBe("UNAUTHORIZED");
      const { secret } = await (await anonymous()).auth.twoFactor.setupBegin({ challenge });
      const done = await (
        await anonymous()
      ).auth.twoFactor.setupConfirm({ challenge, code: codeAt(secret, 0) });
      expect(done.recoveryCodes).toHaveLength(10);
      const api = await as(done.accessToken);
      expect(await api.twoFactor.status()).toMatchObject({ enabled: true, required: true });
      expect(
        await codeOf(api.twoFactor.disable({ password: plain.password, code: codeAt(secret, 1) })),
      ).toBe("PRECONDITION_FAILED");

      // A new account must enrol before its first session, too.
      const { api: fresh } = await c.caller({ ip: "10.77.0.1" });
      const signUp = fresh.auth.register({
        username: "tf_newcomer",
        email: "tf_newcomer@example.com",
        password: "newcomer-password",
      });
      expect((await challengeOf(signUp)).purpose).toBe("setup");
    } finally {
      await adminApi.twoFactor.setRequired({ required: false });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, createAuthTestContext, type AuthTestContext } from "./support";
import { backendName } from "@parley/testing";

const where = backendName();

describe(`login and registration rate limits (${where})`, () => {
  let c: AuthTestContext;
  beforeAll(async () => {
    c = await createAuthTestContext({
      rateLimits: {
        loginPerIp: { limit: 12, windowSeconds: 600 },
        loginPerAccountAndIp: { limit: 5, windowSeconds: 900 },
        registerPerIp: { limit: 3, windowSeconds: 3600 },
      },
    });
  });
  afterAll(() => c?.cleanup());

  const login = async (ip: string, loginName: string, password: string) => {
    const { api, req } = await c.caller({ ip });
    const error = await api.auth.login({ login: loginName, password }).then(
      () => null,
      (e: unknown) =>
        e as { code: string; message: string; shape?: { data?: { details?: unknown } } },
    );
    return { code: error?.code ?? "OK", error, retryAfter: req.responseHeaders.get("retry-after") };
  };

  it("brute force on one account gets 429 with Retry-After; the owner still signs in from another IP", async () => {
    const owner = await c.register("brute_target", { ip: "10.20.0.1" });
    for (let i = 0; i < 5; i++)
      expect((await login("66.6.6.6", "brute_target", `guess-${i}-wrong`)).code).toBe(
        "UNAUTHORIZED",
      );

    const blocked = await login("66.6.6.6", "brute_target", "guess-5-wrong");
    expect(blocked.code).toBe("TOO_MANY_REQUESTS");
    const retryAfter = Number(blocked.retryAfter);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(blocked.error?.message).toMatch(/try again in \d+ s/);
    // Even the right password is refused from the attacking address...
    expect((await login("66.6.6.6", "brute_target", owner.password)).code).toBe(
      "TOO_MANY_REQUESTS",
    );
    // The email form has a budget of its own, as any other typed login would: sharing it
    // would tell the attacker which email belongs to which username.
    expect((await login("66.6.6.6", "brute_target@example.com", "guess-6-wrong")).code).toBe(
      "UNAUTHORIZED",
    );
    // The owner, elsewhere, is not locked out.
    expect((await login("10.20.0.2", "brute_target", owner.password)).code).toBe("OK");
  });

  it("existing and unknown accounts spend the same budget with the same answers", async () => {
    await c.register("budget_real", { ip: "10.22.0.1" });
    const attempts = async (ip: string, loginName: string) => {
      const answers: { code: string; retryAfter: string | null }[] = [];
      for (let i = 0; i < 7; i++) {
        const { code, retryAfter } = await login(ip, loginName, `wrong-guess-${i}`);
        answers.push({ code, retryAfter: retryAfter && String(Number(retryAfter) > 0) });
      }
      return answers;
    };
    const real = await attempts("88.8.8.1", "budget_real@example.com");
    const unknown = await attempts("88.8.8.2", "budget_nobody@example.com");
    expect(real).toEqual(unknown);
    expect(real.map((a) => a.code)).toEqual([
      ...Array<string>(5).fill("UNAUTHORIZED"),
      "TOO_MANY_REQUESTS",
      "TOO_MANY_REQUESTS",
    ]);
    // With the email's budget spent, the username of the same account still answers as the
    // username of an account that does not exist: nothing links the two.
    const byName = await attempts("88.8.8.1", "budget_real");
    const byUnknownName = await attempts("88.8.8.2", "budget_nobody");
    expect(byName).toEqual(byUnknownName);
    expect(byName[0]!.code).toBe("UNAUTHORIZED");
  });

  it("a successful login clears that account's failures from that address", async () => {
    const user = await c.register("forgetful", { ip: "10.21.0.1" });
    for (let i = 0; i < 4; i++) await login("10.21.0.9", "forgetful", "wrong-password");
    expect((await login("10.21.0.9", "forgetful", user.password)).code).toBe("OK");
    for (let i = 0; i < 4; i++)
      expect((await login("10.21.0.9", "forgetful", "wrong-password")).code).toBe("UNAUTHORIZED");
  });

  it("one address spraying many accounts hits the per-IP limit", async () => {
    const codes: string[] = [];
    for (let i = 0; i < 13; i++)
      codes.push((await login("77.7.7.7", `spray_${i}`, "password-guess")).code);
    expect(codes.slice(0, 12).every((code) => code === "UNAUTHORIZED")).toBe(true);
    expect(codes[12]).toBe("TOO_MANY_REQUESTS");
  });

  it("limits registrations per IP", async () => {
    const register = async (ip: string, name: string) => {
      const { api, req } = await c.caller({ ip });
      const code = await codeOf(
        api.auth.register({
          username: name,
          email: `${name}@example.com`,
          password: "password-123",
        }),
      );
      return { code, retryAfter: req.responseHeaders.get("retry-after") };
    };
    for (const name of ["reg_a", "reg_b", "reg_c"])
      expect((await register("88.8.8.8", name)).code).toBe("OK");
    const blocked = await register("88.8.8.8", "reg_d");
    expect(blocked.code).toBe("TOO_MANY_REQUESTS");
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect((await register("88.8.8.9", "reg_d")).code).toBe("OK");
  });

  it("puts retryAfterSeconds into the error details", async () => {
    for (let i = 0; i < 5; i++) await login("99.9.9.9", "details_target", "nope-nope");
    const { api } = await c.caller({ ip: "99.9.9.9" });
    const error = await api.auth
      .login({ login: "details_target", password: "nope-nope" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      cause: { details: { retryAfterSeconds: expect.any(Number) } },
    });
  });
});

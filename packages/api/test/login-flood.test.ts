import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHashLimiter, createPasswordHasher } from "../src/core/auth/passwords";
import { createAuthTestContext, type AuthTestContext } from "./support";

describe("sign-in beyond the password hasher's capacity", () => {
  let c: AuthTestContext;
  beforeAll(async () => {
    c = await createAuthTestContext();
  });
  afterAll(() => c?.cleanup());

  const login = async (ip: string, user: { username: string; password: string }) => {
    const { api, req } = await c.caller({ ip });
    const outcome = await api.auth.login({ login: user.username, password: user.password }).then(
      () => "OK",
      (e: { code?: string }) => e.code ?? String(e),
    );
    return { outcome, retryAfter: req.responseHeaders.get("retry-after") };
  };

  it("answers 503 with Retry-After while every slot and the queue are taken, then signs in", async () => {
    const user = await c.register("flood_target");
    // One hash at a time and no queue; the test holds the only slot itself.
    const limiter = createHashLimiter(1, 0);
    c.deps.auth.passwords = createPasswordHasher({ limiter });
    let release!: () => void;
    const held = limiter(() => new Promise<void>((resolve) => (release = resolve)));

    expect(await login("10.30.0.1", user)).toEqual({
      outcome: "SERVICE_UNAVAILABLE",
      retryAfter: "1",
    });
    release();
    await held;
    expect((await login("10.30.0.2", user)).outcome).toBe("OK");
  });
});

import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { startTestOidcProvider, type TestOidcProvider } from "@parley/testing/oidc-provider";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, register, signIn } from "./steps";

const skip = browserMissing();

/** What an authenticator app would show `offset` 30-second steps from now. */
function totp(secret: string, offset: number): string {
  const step = BigInt(Math.floor(Date.now() / 30_000)) + BigInt(offset);
  return generateHOTP(decodeBase32IgnorePadding(secret), step, 6);
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();
}

describe.skipIf(skip)("two-factor sign-in in the browser", () => {
  const session = useBrowserSession();

  it("enrols with the QR code, then signs in with a code and with a recovery code", async () => {
    const { context, page, problems } = await session.openPage();
    const account = newAccount("totp");
    await register(page, account);

    await page.goto("/settings/security");
    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    const qr = page.getByRole("img", { name: "QR code for your authenticator app" });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(
      true,
    );
    const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
    await page.getByLabel("Code from the app").fill(totp(secret, -1));
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.getByTestId("recovery-codes").locator("li").first().waitFor();
    const codes = (await page.getByTestId("recovery-codes").locator("li").allTextContents()).map(
      (c) => c.trim(),
    );
    expect(codes).toHaveLength(10);
    await page.getByRole("button", { name: "I have saved them" }).click();
    await page.getByText("Two-factor sign-in is on. Recovery codes left: 10.").waitFor();

    await signOut(page);
    await signIn(page, account.username, account.password);
    // The password alone does not sign in: the second step asks for the code.
    await page.getByText("Enter the 6-digit code from your authenticator app.").waitFor();
    await page.getByLabel("Code from the app").fill("000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText(/not valid/).waitFor();
    await page.getByLabel("Code from the app").fill(totp(secret, 0));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("button", { name: "New chat", exact: true }).waitFor();

    await signOut(page);
    await signIn(page, account.username, account.password);
    await page.getByRole("button", { name: "Use a recovery code" }).click();
    await page.getByLabel("Recovery code").fill(codes[0]!);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("button", { name: "New chat", exact: true }).waitFor();

    await page.goto("/settings/security");
    await page.getByText("Two-factor sign-in is on. Recovery codes left: 9.").waitFor();
    await page.goto("/settings/activity");
    await page.getByText("Two-factor sign-in turned on").waitFor();
    expect(problems.cspViolations).toEqual([]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});

describe.skipIf(skip)("single sign-on from the sign-in screen", () => {
  let op: TestOidcProvider | undefined;
  const session = useBrowserSession({
    env: async () => {
      op = await startTestOidcProvider({
        redirectUris: () => [`${session.stack.baseUrl}/auth/oidc/callback`],
      });
      return {
        OIDC_ISSUER: op.issuer,
        OIDC_CLIENT_ID: op.clientId,
        OIDC_CLIENT_SECRET: op.clientSecret,
        OIDC_LABEL: "Test IdP",
      };
    },
  });
  afterAll(() => op?.stop());

  it("says the first account becomes admin, and signs in through the provider", async () => {
    const { context, page, problems } = await session.openPage();
    await page.goto("/");
    await page.getByText("the first one created becomes the administrator").waitFor();
    op!.signInAs({
      sub: "browser-sub-1",
      email: "sso.user@example.com",
      emailVerified: true,
      preferredUsername: "sso_user",
    });
    await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
    await page.getByRole("button", { name: "New chat", exact: true }).waitFor();
    expect(new URL(page.url()).origin).toBe(session.stack.baseUrl);

    await page.goto("/settings/profile");
    await expect.poll(() => page.getByLabel("Username").inputValue()).toBe("sso_user");
    // The first account is the admin.
    await page.goto("/admin");
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    await page.locator('li[data-action="oidc.linked"]').first().waitFor();
    expect(problems.cspViolations).toEqual([]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("shows why a failed single sign-on did not sign in", async () => {
    const { context, page } = await session.openPage();
    await page.goto("/auth/oidc/callback?code=forged&state=forged");
    await page.getByText("Single sign-on took too long or was started elsewhere").waitFor();
    expect(new URL(page.url()).search).toBe("");
    await context.close();
  });
});

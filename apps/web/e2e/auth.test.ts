import { describe, expect, it } from "vitest";
import { browserMissing, uniqueName, useBrowserSession } from "./harness";
import { openRegistration } from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("signing in and out in the browser", () => {
  const session = useBrowserSession();

  it("serves the app with a strict CSP and shows the server's health through tRPC", async () => {
    const response = await fetch(`${session.stack.baseUrl}/`);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");

    const { context, page, problems } = await session.openPage();
    await page.goto("/");
    await page.getByText(`Connected to server, database: ${session.stack.databaseKind}`).waitFor();
    expect(problems.cspViolations).toEqual([]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("shows the API's field errors beside the fields, registers, survives a reload, signs out and in", async () => {
    const { context, page, problems } = await session.openPage();
    await page.goto("/");
    await openRegistration(page);

    // Errors come from the server's zod schemas, shown under the field they concern.
    await page.getByLabel("Username").fill("x!");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    const username = page.getByLabel("Username");
    await expect.poll(() => username.getAttribute("aria-invalid")).toBe("true");
    await page.getByText("Enter a valid email address").waitFor();
    await page.getByText("Password must be at least 8 characters").waitFor();

    const name = uniqueName("ada");
    await username.fill(name);
    await page.getByLabel("Email").fill(`${name}@example.com`);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("button", { name: "New chat", exact: true }).waitFor();

    // The access token lived in memory; the HttpOnly cookie brings the session back.
    await page.reload();
    await page.getByRole("button", { name: "New chat", exact: true }).waitFor();
    const cookies = await context.cookies();
    const refresh = cookies.find((c) => c.name === "parley_refresh");
    expect(refresh?.httpOnly).toBe(true);
    expect(await page.evaluate(() => document.cookie)).not.toContain("parley_refresh");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();

    await page.getByLabel("Username or email").fill(name);
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").first().waitFor();
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "New chat", exact: true }).waitFor();

    expect(problems.cspViolations).toEqual([]);
    await context.close();
  });
});

if (skip) {
  // Visible in the report as skipped, with the reason; never a green pass.
  it.skip(`browser end-to-end tests: skipped because ${skip}`, () => {});
}

import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { composer, newAccount, register } from "./steps";

const skip = browserMissing();

// A fresh install with no model provider: what its first and later users see.
describe.skipIf(skip)("a fresh install without a model", () => {
  const session = useBrowserSession({ provider: false });

  it("opens on sign-up saying the first account becomes the administrator", async () => {
    const { context, page, problems } = await session.openPage();
    await page.goto("/");
    await page.getByRole("heading", { name: "Create your Parley account" }).waitFor();
    await page.getByText("becomes the administrator").waitFor();
    const admin = newAccount("first");
    await page.getByLabel("Username").fill(admin.username);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Create account" }).click();

    // The administrator gets the setup steps once, and cannot type into a dead end.
    const notice = page.getByTestId("no-model");
    await notice.getByText("No model is set up yet").waitFor();
    await notice.getByText(/OPENAI_BASE_URL/).waitFor();
    expect(await page.getByText(/OPENAI_BASE_URL/).count()).toBe(1);
    expect(await composer(page).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Try again" }).count()).toBe(0);
    // The notice leads to the screen where a provider is added.
    await notice.getByRole("link", { name: "Open Settings → Providers" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/settings/providers");
    await page.getByRole("button", { name: "Add provider" }).waitFor();
    await page.getByText("No providers yet").waitFor();
    expect(problems.errors).toEqual([]);

    // Someone else opening the app now signs in: the install is no longer fresh.
    const other = await session.openPage();
    await other.page.goto("/");
    await other.page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();
    expect(await other.page.getByText("becomes the administrator").count()).toBe(0);
    await other.context.close();
    await context.close();
  });

  it("tells everyone else, in their language and at phone width, to ask the administrator", async () => {
    const { context, page } = await session.openPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await register(page, newAccount("member"));
    await page.getByText("No model is available yet. Ask your administrator").waitFor();
    expect(await page.getByText(/OPENAI|AI_MODELS/).count()).toBe(0);
    expect(await composer(page).isDisabled()).toBe(true);
    // Providers are the administrator's: no tab for anyone else, and its address says so.
    await page.goto("/settings/providers");
    await page.getByText("Only administrators manage model providers.").waitFor();
    expect(await page.getByTestId("settings-tabs").getByText("Providers").count()).toBe(0);

    await page.goto("/settings/appearance");
    await page.getByRole("radio", { name: "Русский" }).check();
    await page.goto("/");
    await page
      .getByText("Модель пока недоступна. Попросите администратора её настроить.")
      .waitFor();
    await context.close();
  });
});

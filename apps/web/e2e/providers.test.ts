import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, register, replies, send } from "./steps";

const skip = browserMissing();
const SECOND_KEY = "sk-second-provider-in-the-browser";

describe.skipIf(skip)("model providers in the browser", () => {
  const session = useBrowserSession();
  let second: ModelFixture;
  const admin = newAccount("prov_admin");

  beforeAll(async () => {
    // A second OpenAI-compatible server, with its own key; it also lists a model id the
    // environment's provider offers.
    second = await startModelFixture({
      apiKey: SECOND_KEY,
      models: ["fixture-small", "second-only"],
      defaults: { ttftMs: 40, chunkDelayMs: 15 },
    });
  });
  afterAll(() => second?.close());

  it("an admin adds a provider and tests it; a user picks its model and gets a reply from it", async () => {
    const { context, page, problems } = await session.openPage({
      viewport: { width: 1280, height: 800 },
    });
    // The first account is the administrator.
    await register(page, admin);
    await page.goto("/settings/providers");
    const list = page.getByRole("list", { name: "Providers" });
    await list.getByText("Environment", { exact: true }).waitFor();

    await page.getByRole("button", { name: "Add provider" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a provider" });
    await dialog.getByLabel("Name").fill("Second");
    await dialog.getByLabel("Base URL").fill(second.baseUrl);
    await dialog.getByLabel("API key").fill("sk-wrong");
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByTestId("provider-test-result").getByText("Key refused").waitFor();
    await dialog.getByLabel("API key").fill(SECOND_KEY);
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog
      .getByTestId("provider-test-result")
      .getByText("Connected. The endpoint lists 2 models: fixture-small, second-only")
      .waitFor();
    await dialog.getByLabel("Models to offer").fill("fixture-small, second-only");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    const card = list.getByTestId("provider").filter({ hasText: "Second" });
    await card.getByText("key stored").waitFor();
    // The key is never shown again, not even in the page's source.
    expect(await page.content()).not.toContain(SECOND_KEY);

    // Someone else picks the new provider's model, grouped under its name.
    const other = await session.openPage({ viewport: { width: 1280, height: 800 } });
    await register(other.page, newAccount("prov_user"));
    const picker = other.page.getByLabel("Model", { exact: true });
    await expect
      .poll(() =>
        picker.locator("optgroup").evaluateAll((g) => g.map((e) => e.getAttribute("label"))),
      )
      .toEqual(["Environment", "Second"]);
    await picker.selectOption({ label: "second-only" });
    second.reset();
    second.enqueue({ reply: "Hello from the second provider." });
    await send(other.page, "which provider are you?");
    await replies(other.page).last().getByText("Hello from the second provider.").waitFor();
    await expect
      .poll(() => replies(other.page).last().getAttribute("data-status"))
      .toBe("complete");
    expect(second.calls.filter((c) => c.stream).map((c) => c.model)).toEqual(["second-only"]);
    // The reply names the model as the provider calls it.
    await replies(other.page).last().getByText("second-only").waitFor();
    expect(other.problems.errors).toEqual([]);
    await other.context.close();

    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("works in Russian, in the dark theme, at phone width, and deletes after confirming", async () => {
    const { context, page, problems } = await session.openPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: "dark",
    });
    await context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await page.goto("/");
    await page.getByLabel("Имя пользователя или email").fill(admin.username);
    await page.getByLabel("Пароль").fill(admin.password);
    await page.getByRole("button", { name: "Войти" }).click();
    await page.getByLabel("Сообщение", { exact: true }).waitFor();
    await page.goto("/settings/providers");
    const card = page.getByTestId("provider").filter({ hasText: "Second" });
    await card.getByText("ключ сохранён").waitFor();
    await page.getByTestId("provider").filter({ hasText: "Из окружения" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(
      true,
    );
    // Nothing runs off the side of a phone.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    // Tested with the stored key.
    await card.getByRole("button", { name: "Проверить подключение" }).click();
    await card.getByText(/^Подключено/).waitFor();

    await card.getByRole("button", { name: "Удалить" }).click();
    const confirm = page.getByRole("dialog", { name: "Удалить провайдера?" });
    await confirm.getByText("Second и его модели больше не будут предлагаться").waitFor();
    await confirm.getByRole("button", { name: "Удалить" }).click();
    await card.waitFor({ state: "detached" });
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});

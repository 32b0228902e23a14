import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { composer, newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("presets in the browser", () => {
  const session = useBrowserSession();

  it("saves a preset and starts a chat from it: its prompt, model and temperature reach the model", async () => {
    const { context, page, problems } = await session.openPage({
      viewport: { width: 1280, height: 800 },
    });
    await register(page, newAccount("presets"));

    await page.getByRole("button", { name: "Start from a preset" }).click();
    await page.getByRole("menuitem", { name: "Manage presets…" }).click();
    const dialog = page.getByRole("dialog", { name: "Presets" });
    await dialog.getByText("No presets yet").waitFor();
    await dialog.getByRole("button", { name: "New preset" }).click();
    await dialog.getByLabel("Preset name").fill("Poet");
    await dialog.getByLabel("Model").selectOption("fixture-large");
    await dialog.getByLabel("System prompt").fill("Answer in verse.");
    await dialog.getByLabel("Temperature").fill("3");
    await dialog.getByText("Use a number from 0 to 2").waitFor();
    expect(await dialog.getByRole("button", { name: "Save preset" }).isDisabled()).toBe(true);
    await dialog.getByLabel("Temperature").fill("1.4");
    await dialog.getByRole("button", { name: "Save preset" }).click();
    await dialog.getByTestId("presets").getByText("Poet").waitFor();

    // Edited: the form opens with what was saved.
    await dialog.getByRole("button", { name: "Edit Poet" }).click();
    expect(await dialog.getByLabel("System prompt").inputValue()).toBe("Answer in verse.");
    expect(await dialog.getByLabel("Model").inputValue()).toBe("fixture-large");
    await dialog.getByLabel("Preset name").fill("Poet (verse)");
    await dialog.getByRole("button", { name: "Save preset" }).click();
    await dialog.getByTestId("presets").getByText("Poet (verse)").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();

    // Start a chat from it, from the keyboard: a new chat opens with the preset's model, and
    // nothing is stored until the first message.
    const rows = page.getByTestId("conversation-list").locator("li");
    const choosePoet = async () => {
      await page.getByRole("button", { name: "Start from a preset" }).focus();
      await page.keyboard.press("Enter");
      const item = page.getByRole("menuitem", { name: "Poet (verse)" });
      await item.waitFor();
      await item.press("Enter");
      await page
        .getByTestId("chosen-preset")
        .getByText("New chat from the preset “Poet (verse)”", { exact: false })
        .waitFor();
      expect(new URL(page.url()).pathname).toBe("/");
      await expect.poll(() => page.getByLabel("Model").inputValue()).toBe("fixture-large");
    };
    await choosePoet();
    expect(await rows.count()).toBe(0);
    // Leaving (to Settings, then a plain new chat) leaves no conversation behind.
    await page.goto("/settings/data");
    await page.goto("/");
    await composer(page).waitFor();
    await page.getByRole("button", { name: "New chat" }).click();
    await expect.poll(() => page.getByTestId("chosen-preset").count()).toBe(0);
    expect(await rows.count()).toBe(0);
    expect(await page.getByLabel("Model").inputValue()).toBe("fixture-small");

    await choosePoet();
    const before = session.stack.fixture.calls.length;
    session.stack.fixture.enqueue({ reply: "Roses are red." });
    await send(page, "a poem please");
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/c\//);
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByTestId("chosen-preset").count()).toBe(0);
    expect(await page.getByLabel("Model").inputValue()).toBe("fixture-large");
    const call = session.stack.fixture.calls
      .slice(before)
      .find((c) => c.messages.some((m) => m.content === "Answer in verse."));
    expect(call, "the model was asked with the preset's system prompt").toBeDefined();
    expect(call!.model).toBe("fixture-large");
    expect(call!.options.temperature).toBe(1.4);

    // Deleting the preset leaves the chat started from it as it was.
    await page.getByRole("button", { name: "Start from a preset" }).click();
    await page.getByRole("menuitem", { name: "Manage presets…" }).click();
    await dialog.getByRole("button", { name: "Delete Poet (verse)" }).click();
    await dialog.getByText("No presets yet").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    expect(await page.getByLabel("Model").inputValue()).toBe("fixture-large");

    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("works in Russian, in the dark theme, at phone width", async () => {
    const { context, page, problems } = await session.openPage({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
    });
    await register(page, newAccount("presets_ru"));
    await context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await page.reload();
    await page.getByLabel("Сообщение", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Открыть список бесед" }).click();
    await page.locator('aside[data-open="true"]').waitFor();
    await page.getByRole("button", { name: "Начать с шаблона" }).click();
    await page.getByRole("menuitem", { name: "Шаблоны…" }).click();
    const dialog = page.getByRole("dialog", { name: "Шаблоны" });
    await dialog.getByRole("button", { name: "Новый шаблон" }).click();
    await dialog.getByLabel("Название шаблона").fill("Кратко");
    await dialog.getByLabel("Системный промпт").fill("Отвечай кратко.");
    const save = dialog.getByRole("button", { name: "Сохранить шаблон" });
    const box = (await save.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await save.click();
    await dialog.getByTestId("presets").getByText("Кратко").waitFor();
    await dialog.getByRole("button", { name: "Закрыть" }).click();

    await page.getByRole("button", { name: "Начать с шаблона" }).click();
    await page.getByRole("menuitem", { name: "Кратко" }).click();
    const chosen = page.getByTestId("chosen-preset");
    await chosen.getByText("Новая беседа по шаблону «Кратко»", { exact: false }).waitFor();
    const chosenBox = (await chosen.boundingBox())!;
    expect(chosenBox.x + chosenBox.width).toBeLessThanOrEqual(390);
    expect(await page.getByTestId("conversation-list").locator("li").count()).toBe(0);
    // "Start without the preset" forgets it; choosing it again and sending creates the chat.
    await chosen.getByRole("button", { name: "Начать без шаблона" }).click();
    await expect.poll(() => chosen.count()).toBe(0);
    await page.getByRole("button", { name: "Открыть список бесед" }).click();
    await page.getByRole("button", { name: "Начать с шаблона" }).click();
    await page.getByRole("menuitem", { name: "Кратко" }).click();
    await chosen.waitFor();
    session.stack.fixture.enqueue({ reply: "Да." });
    await page.getByLabel("Сообщение", { exact: true }).fill("Привет");
    await page.getByLabel("Сообщение", { exact: true }).press("Enter");
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/c\//);
    await expect
      .poll(() => page.locator('article[data-role="assistant"]').last().getAttribute("data-status"))
      .toBe("complete");
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(
      true,
    );
    await page.getByLabel("Сообщение", { exact: true }).waitFor();
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});

if (skip) {
  it.skip(`presets in the browser: skipped because ${skip}`, () => {});
}

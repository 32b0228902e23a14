import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("a conversation's parameters in the browser", () => {
  const session = useBrowserSession();

  /** The sampling options the model received with the reply to `question`. */
  const optionsFor = (question: string) =>
    session.stack.fixture.calls.find((c) => c.stream && c.messages.at(-1)?.content === question)
      ?.options;

  async function ask(page: Page, question: string) {
    const before = await replies(page).count();
    await send(page, question);
    await expect.poll(() => replies(page).count()).toBe(before + 1);
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    return optionsFor(question);
  }

  it("sets the temperature per conversation, stores it, sends it, and resets it to the model's default", async () => {
    const { context, page, problems } = await session.openPage();
    await register(page, newAccount("temp"));
    expect(await ask(page, "first, at the default")).not.toHaveProperty("temperature");

    await page.getByRole("button", { name: "Conversation settings" }).click();
    const dialog = page.getByRole("dialog", { name: "Conversation settings" });
    const field = dialog.getByLabel("Temperature", { exact: true });
    const slider = dialog.getByRole("slider", { name: "Temperature slider" });
    expect(await field.inputValue()).toBe("");
    expect(await field.getAttribute("placeholder")).toBe("Default");
    await field.fill("0.4");
    expect(await slider.inputValue()).toBe("0.4");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await ask(page, "now cooler")).toMatchObject({ temperature: 0.4 });

    // Stored: a reload shows it. Out of range is refused in the form, in words.
    await page.reload();
    await page.getByRole("button", { name: "Conversation settings" }).click();
    expect(await field.inputValue()).toBe("0.4");
    await field.fill("3");
    await dialog
      .getByText("Use a number from 0 to 2, or leave it empty for the default.")
      .waitFor();
    expect(await dialog.getByRole("button", { name: "Save" }).isDisabled()).toBe(true);
    // The slider from the keyboard: one step up from 0.4.
    await field.fill("0.4");
    await slider.focus();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => field.inputValue()).toBe("0.5");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await ask(page, "a step warmer")).toMatchObject({ temperature: 0.5 });

    // Reset: the model's default again, so no temperature is sent.
    await page.getByRole("button", { name: "Conversation settings" }).click();
    await dialog.getByRole("button", { name: "Reset" }).click();
    expect(await field.inputValue()).toBe("");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await ask(page, "back to the default")).not.toHaveProperty("temperature");

    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("on a phone in Russian and dark: translated, inside the screen, a decimal comma accepted", async () => {
    const { context, page, problems } = await session.openPage({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
    });
    await register(page, newAccount("tempru"));
    await ask(page, "hello");
    await page.evaluate(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await page.reload();
    await page.getByLabel("Сообщение", { exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(
      true,
    );

    await page.getByRole("button", { name: "Настройки беседы" }).click();
    const dialog = page.getByRole("dialog", { name: "Настройки беседы" });
    const field = dialog.getByLabel("Температура", { exact: true });
    await dialog.getByRole("slider", { name: "Ползунок температуры" }).waitFor();
    expect(await field.getAttribute("placeholder")).toBe("По умолчанию");
    await dialog.getByText("0 — точнее и предсказуемее").waitFor();
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await field.fill("0,7");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByLabel("Сообщение", { exact: true }).fill("ещё раз");
    await page.getByLabel("Сообщение", { exact: true }).press("Enter");
    await expect.poll(() => replies(page).count()).toBe(2);
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    expect(optionsFor("ещё раз")).toMatchObject({ temperature: 0.7 });

    expect(problems.errors).toEqual([]);
    await context.close();
  });
});

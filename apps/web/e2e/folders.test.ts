import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, register, replies, send } from "./steps";

const skip = browserMissing();
const RU_MESSAGE = "Сообщение";

const unfiled = (page: Page) => page.getByTestId("conversation-list");
const folderRow = (page: Page, name: string) => page.locator(`li[data-folder="${name}"]`);
const inFolder = (page: Page, name: string) =>
  folderRow(page, name).getByTestId("folder-conversations");
const titlesOf = async (list: ReturnType<typeof unfiled>) =>
  (await list.locator("li").allTextContents()).map((s) => s.trim());

describe.skipIf(skip)("folders, drag and drop, and bulk actions in the browser", () => {
  const session = useBrowserSession();

  /** A new chat whose reply and title are set, done when the sidebar shows the title. */
  async function chat(page: Page, question: string, title: string) {
    session.stack.fixture.enqueue({ reply: `About ${title}.` });
    session.stack.fixture.enqueue({ reply: title });
    await page.getByRole("button", { name: "New chat" }).first().click();
    await send(page, question);
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    await expect.poll(() => titlesOf(unfiled(page))).toContain(title);
  }

  it("creates a folder, drags a chat into it, files another from the menu by keyboard, bulk-archives two", async () => {
    const { context, page, problems } = await session.openPage({
      viewport: { width: 1280, height: 800 },
    });
    await register(page, newAccount("folders"));
    await chat(page, "plan a trip", "Alpha trip");
    await chat(page, "take notes", "Beta notes");
    await chat(page, "cook something", "Gamma recipe");

    // A folder.
    await page.getByRole("button", { name: "New folder" }).click();
    await page.getByLabel("Folder name").fill("Work");
    await page.getByRole("dialog").getByRole("button", { name: "Create" }).click();
    await folderRow(page, "Work").waitFor();
    await expect.poll(() => folderRow(page, "Work").textContent()).toContain("Empty");

    // Drag a chat onto it (HTML5 drag and drop).
    await unfiled(page)
      .locator("li", { hasText: "Alpha trip" })
      .dragTo(folderRow(page, "Work").getByTestId("folder-target"));
    await expect.poll(() => titlesOf(inFolder(page, "Work"))).toEqual(["Alpha trip"]);
    expect(await titlesOf(unfiled(page))).not.toContain("Alpha trip");

    // The alternative without a mouse: the chat's menu, "Move to folder…", all by keyboard.
    await page.getByRole("button", { name: "Actions for Beta notes" }).focus();
    await page.keyboard.press("Enter");
    const moveItem = page.getByRole("menuitem", { name: "Move to folder…" });
    await moveItem.waitFor();
    while (!(await moveItem.evaluate((el) => el === document.activeElement)))
      await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Move “Beta notes” to a folder" });
    await dialog.waitFor();
    const work = dialog.getByRole("button", { name: "Work" });
    await work.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await expect
      .poll(async () => (await titlesOf(inFolder(page, "Work"))).sort())
      .toEqual(["Alpha trip", "Beta notes"]);
    expect(await titlesOf(unfiled(page))).toEqual(["Gamma recipe"]);

    // Filed for good: still there after a reload. Folders collapse and open again.
    await page.reload();
    await expect
      .poll(async () => (await titlesOf(inFolder(page, "Work"))).sort())
      .toEqual(["Alpha trip", "Beta notes"]);
    const header = folderRow(page, "Work").getByRole("button", { name: "Work", exact: true });
    expect(await header.getAttribute("aria-expanded")).toBe("true");
    await header.click();
    await inFolder(page, "Work").waitFor({ state: "detached" });
    expect(await header.getAttribute("aria-expanded")).toBe("false");
    await header.click();
    await inFolder(page, "Work").waitFor();

    // Dragged back out of the folder onto the unfiled list.
    await inFolder(page, "Work")
      .locator("li", { hasText: "Beta notes" })
      .dragTo(page.getByTestId("unfiled-target"));
    await expect.poll(() => titlesOf(inFolder(page, "Work"))).toEqual(["Alpha trip"]);
    await expect
      .poll(async () => (await titlesOf(unfiled(page))).sort())
      .toEqual(["Beta notes", "Gamma recipe"]);

    // Select mode: tick two chats (one in the folder, one not), archive them at once.
    await page.getByRole("button", { name: "Select", exact: true }).click();
    await page.getByRole("checkbox", { name: "Select Alpha trip" }).check();
    await page.getByRole("checkbox", { name: "Select Gamma recipe" }).check();
    const bar = page.getByRole("region", { name: "2 selected" });
    await bar.waitFor();
    await bar.getByRole("button", { name: "Archive" }).click();
    await bar.waitFor({ state: "detached" });
    await expect.poll(() => titlesOf(unfiled(page))).toEqual(["Beta notes"]);
    await expect.poll(() => folderRow(page, "Work").textContent()).toContain("Empty");

    await page.getByRole("button", { name: "Show archived" }).click();
    const archived = page.getByTestId("conversation-list");
    await expect
      .poll(async () => (await titlesOf(archived)).sort())
      .toEqual(["Alpha trip", "Gamma recipe"]);

    // Bulk delete asks first; cancelling keeps both, confirming deletes the one ticked.
    await page.getByRole("button", { name: "Select", exact: true }).click();
    await page.getByRole("checkbox", { name: "Select Gamma recipe" }).check();
    await page
      .getByRole("region", { name: "1 selected" })
      .getByRole("button", { name: "Delete" })
      .click();
    const confirm = page.getByRole("dialog", { name: "Delete conversations" });
    await confirm.getByText("Delete 1 conversations?").waitFor();
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect((await titlesOf(archived)).sort()).toEqual(["Alpha trip", "Gamma recipe"]);
    await page
      .getByRole("region", { name: "1 selected" })
      .getByRole("button", { name: "Delete" })
      .click();
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => titlesOf(archived)).toEqual(["Alpha trip"]);

    // Deleting the folder keeps its chats.
    await page.getByRole("button", { name: "Back to conversations" }).click();
    await page.getByRole("button", { name: "Actions for the folder Work" }).click();
    await page.getByRole("menuitem", { name: "Delete folder" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete folder" }).click();
    await folderRow(page, "Work").waitFor({ state: "detached" });
    expect(await titlesOf(unfiled(page))).toEqual(["Beta notes"]);

    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("works in Russian, in the dark theme, at phone width", async () => {
    const { context, page, problems } = await session.openPage({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
    });
    await register(page, newAccount("folders_ru"));
    await context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await page.reload();
    await page.getByLabel(RU_MESSAGE, { exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(
      true,
    );

    session.stack.fixture.enqueue({ reply: "Да." });
    session.stack.fixture.enqueue({ reply: "Кошки" });
    await page.getByLabel(RU_MESSAGE, { exact: true }).fill("про кошек");
    await page.getByLabel(RU_MESSAGE, { exact: true }).press("Enter");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");

    await page.getByRole("button", { name: "Открыть список бесед" }).click();
    await page.locator('aside[data-open="true"]').waitFor();
    await page.getByRole("button", { name: "Новая папка" }).click();
    await page.getByLabel("Название папки").fill("Питомцы");
    await page.getByRole("dialog").getByRole("button", { name: "Создать" }).click();
    await folderRow(page, "Питомцы").waitFor();
    await expect.poll(() => titlesOf(unfiled(page))).toEqual(["Кошки"]);

    await page.getByRole("button", { name: "Действия для «Кошки»" }).click();
    await page.getByRole("menuitem", { name: "Переместить в папку…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Питомцы" }).click();
    await expect.poll(() => titlesOf(inFolder(page, "Питомцы"))).toEqual(["Кошки"]);

    // Select mode fits the drawer: the bar and its buttons stay on screen.
    await page.getByRole("button", { name: "Выбрать", exact: true }).click();
    await page.getByRole("checkbox", { name: "Выбрать «Кошки»" }).check();
    const bar = page.getByRole("region", { name: "Выбрано: 1" });
    await bar.waitFor();
    for (const name of ["В архив", "Удалить"]) {
      const box = (await bar.getByRole("button", { name }).boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await bar.getByRole("button", { name: "В архив" }).click();
    await expect.poll(() => folderRow(page, "Питомцы").textContent()).toContain("Пусто");

    expect(problems.errors).toEqual([]);
    await context.close();
  });
});

if (skip) {
  it.skip(`folders in the browser: skipped because ${skip}`, () => {});
}

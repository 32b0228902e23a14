import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, openSidebar, register, replies, send } from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("sharing a conversation as a read-only link", () => {
  const session = useBrowserSession();

  it("the owner makes a link from the conversation menu; a stranger reads the snapshot; revoking ends it", async () => {
    const owner = await session.openPage();
    const { page } = owner;
    await register(page, newAccount("sharer"));
    await send(page, "Explain **bold** and `code`");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");

    await openSidebar(page);
    await page
      .getByTestId("conversation-list")
      .getByRole("button", { name: /^Actions for / })
      .first()
      .click();
    await page.getByRole("menuitem", { name: "Share…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("No links yet.").waitFor();
    await dialog.getByRole("button", { name: "Create link" }).click();
    const linkField = dialog.getByRole("textbox");
    await linkField.waitFor();
    const url = await linkField.inputValue();
    expect(url).toMatch(new RegExp(`^${session.stack.baseUrl}/s/[A-Za-z0-9_-]{65}$`));
    await dialog.getByText(/· 2 messages$/).waitFor();

    // Sent after sharing: not in the snapshot.
    await dialog.getByRole("button", { name: "Close" }).click();
    await send(page, "a later message");
    await expect.poll(() => replies(page).count()).toBe(2);

    // A stranger, in another browser profile with no account, in Russian and dark mode.
    const stranger = await session.openPage({ locale: "ru-RU", colorScheme: "dark" });
    const response = await stranger.page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["x-robots-tag"]).toMatch(/noindex/);
    await stranger.page.getByText("Общий разговор · только чтение").waitFor();
    const articles = stranger.page.locator("article");
    await expect.poll(() => articles.count()).toBe(2);
    // The same safe Markdown as the app: bold and inline code rendered, not shown raw.
    await expect.poll(() => articles.first().locator("strong").textContent()).toBe("bold");
    expect(await articles.last().locator("code").first().textContent()).toBe("code");
    expect(await stranger.page.getByText("a later message").count()).toBe(0);
    expect(await stranger.page.locator('meta[name="robots"]').getAttribute("content")).toMatch(
      /noindex/,
    );
    // Nobody is signed in there, and nothing asks them to.
    expect(await stranger.page.getByLabel("Сообщение", { exact: true }).count()).toBe(0);
    expect(stranger.problems.cspViolations).toEqual([]);
    expect(stranger.problems.errors).toEqual([]);

    // The owner revokes it; the stranger's next visit says so, with a 404.
    await page
      .getByTestId("conversation-list")
      .getByRole("button", { name: /^Actions for / })
      .first()
      .click();
    await page.getByRole("menuitem", { name: "Share…" }).click();
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await dialog.getByText("No links yet.").waitFor();
    const gone = await stranger.page.reload();
    expect(gone?.status()).toBe(404);
    await stranger.page.getByText("Эта ссылка отозвана или никогда не существовала.").waitFor();
    expect(owner.problems.errors).toEqual([]);
    await stranger.context.close();
    await owner.context.close();
  });

  it("the shared page fits a phone and is read from the keyboard", async () => {
    const owner = await session.openPage();
    await register(owner.page, newAccount("phoneshare"));
    await send(owner.page, "A long line ".repeat(40));
    await expect
      .poll(() => replies(owner.page).last().getAttribute("data-status"))
      .toBe("complete");
    await openSidebar(owner.page);
    await owner.page
      .getByTestId("conversation-list")
      .getByRole("button", { name: /^Actions for / })
      .first()
      .click();
    await owner.page.getByRole("menuitem", { name: "Share…" }).click();
    await owner.page.getByRole("dialog").getByRole("button", { name: "Create link" }).click();
    const url = await owner.page.getByRole("dialog").getByRole("textbox").inputValue();

    const phone = await session.openPage({ viewport: { width: 375, height: 740 } });
    await phone.page.goto(url);
    await expect.poll(() => phone.page.locator("article").count()).toBe(2);
    const overflow = await phone.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.page.keyboard.press("Tab");
    expect(await phone.page.evaluate(() => document.activeElement?.textContent)).toBe("Parley");
    await phone.context.close();
    await owner.context.close();
  });
});

import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("thumbs up and down on replies in the browser", () => {
  const session = useBrowserSession();

  it("rates a reply (kept across a reload, taken back by pressing again) and shows admins the counts", async () => {
    const admin = await session.openPage();
    await register(admin.page, newAccount("root"));
    const user = await session.openPage({ viewport: { width: 390, height: 844 } });
    await register(user.page, newAccount("rater"));
    await send(user.page, "rate this");
    await expect.poll(() => replies(user.page).last().getAttribute("data-status")).toBe("complete");
    const reply = replies(user.page).last();
    const up = reply.getByRole("button", { name: "Good reply" });
    const down = reply.getByRole("button", { name: "Bad reply" });
    expect(await up.getAttribute("aria-pressed")).toBe("false");
    // Questions have no rating.
    expect(
      await user.page
        .locator('article[data-role="user"]')
        .getByRole("button", { name: "Good reply" })
        .count(),
    ).toBe(0);

    // From the keyboard: focus and press.
    await up.focus();
    await user.page.keyboard.press("Enter");
    await expect.poll(() => up.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => session.stack.server.deps.db.prisma.messageFeedback.count()).toBe(1);
    await user.page.reload();
    await expect
      .poll(() =>
        replies(user.page)
          .last()
          .getByRole("button", { name: "Good reply" })
          .getAttribute("aria-pressed"),
      )
      .toBe("true");

    // Down replaces up; pressing down again takes it back.
    await down.click();
    await expect.poll(() => down.getAttribute("aria-pressed")).toBe("true");
    expect(await up.getAttribute("aria-pressed")).toBe("false");
    await expect
      .poll(
        async () => (await session.stack.server.deps.db.prisma.messageFeedback.findFirst())?.rating,
      )
      .toBe("down");
    await user.page.reload();
    await expect.poll(() => down.getAttribute("aria-pressed")).toBe("true");

    // The admin sees counts per model, no names.
    await admin.page.goto("/admin");
    const table = admin.page.getByTestId("feedback-counts");
    await table.waitFor();
    const row = table.getByRole("row", { name: /fixture-small/ });
    expect(await row.getByRole("cell").allTextContents()).toEqual(["fixture-small", "0", "1"]);

    await down.click();
    await expect.poll(() => down.getAttribute("aria-pressed")).toBe("false");
    await expect.poll(() => session.stack.server.deps.db.prisma.messageFeedback.count()).toBe(0);

    // Russian and dark: the buttons and the admin's section translated.
    const ru = await session.openPage({ colorScheme: "dark" });
    await ru.context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await ru.context.addCookies(await admin.context.cookies());
    await ru.page.goto("/admin");
    await ru.page.getByRole("heading", { name: "Оценки ответов" }).waitFor();
    await ru.page.getByText("Ответы ещё никто не оценил.").waitFor();
    const ruUser = await session.openPage({ colorScheme: "dark" });
    await ruUser.context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await ruUser.context.addCookies(await user.context.cookies());
    await ruUser.page.goto(user.page.url());
    await replies(ruUser.page).last().getByRole("button", { name: "Хороший ответ" }).waitFor();
    await replies(ruUser.page).last().getByRole("button", { name: "Плохой ответ" }).waitFor();

    for (const p of [admin, user, ru, ruUser]) expect(p.problems.errors).toEqual([]);
    for (const p of [admin, user, ru, ruUser]) await p.context.close();
  });
});

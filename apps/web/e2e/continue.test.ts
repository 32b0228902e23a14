import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { lastReplyText, newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("continuing a stopped reply in the browser", () => {
  const session = useBrowserSession();

  it("goes on from a stopped reply as a new version, the stopped one kept", async () => {
    const { context, page, problems } = await session.openPage({
      viewport: { width: 390, height: 844 },
    });
    await register(page, newAccount("cont"));
    await send(page, "[[fixture words=300 delay=40]]");
    await expect.poll(async () => (await lastReplyText(page)).length).toBeGreaterThan(20);
    await page.getByRole("button", { name: "Stop" }).click();
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("stopped");
    const stoppedId = await replies(page).last().getAttribute("data-message-id");
    const stopped = await session.stack.server.deps.db.prisma.message.findFirst({
      where: { id: stoppedId! },
      select: { content: true },
    });
    expect(stopped!.content.length).toBeGreaterThan(0);

    session.stack.fixture.enqueue({ reply: "and that is the end." });
    const button = replies(page).last().getByRole("button", { name: "Continue" });
    // From the keyboard.
    await button.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    const continued = replies(page).last();
    expect(await continued.getAttribute("data-message-id")).not.toBe(stoppedId);
    await expect
      .poll(() => lastReplyText(page))
      .toBe(`${stopped!.content}and that is the end.`.trim());
    expect(await continued.getByRole("button", { name: "Continue" }).count()).toBe(0);
    // Version 2 of 2; the stopped version is one arrow back.
    await continued.getByRole("group", { name: "Version 2 of 2" }).waitFor();
    await continued.getByRole("button", { name: "Previous version" }).click();
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("stopped");
    expect(await replies(page).last().getAttribute("data-message-id")).toBe(stoppedId);

    // Russian and dark: the button translated.
    const ru = await session.openPage({ colorScheme: "dark" });
    await ru.context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await ru.context.addCookies(await context.cookies());
    await ru.page.goto(page.url());
    await replies(ru.page).last().getByRole("button", { name: "Продолжить" }).waitFor();

    expect(problems.errors).toEqual([]);
    expect(ru.problems.errors).toEqual([]);
    await ru.context.close();
    await context.close();
  });
});

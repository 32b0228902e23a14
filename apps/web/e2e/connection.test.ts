import { describe, expect, it } from "vitest";
import { startTcpProxy } from "@parley/testing";
import { browserMissing, openPage, useBrowserSession } from "./harness";
import { composer, newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("the API going away and coming back", () => {
  const session = useBrowserSession();

  it("says the server is unreachable, keeps the draft, and refills the chat once it is back", async () => {
    // The browser reaches the API through a proxy the test cuts: a real refused connection.
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: session.stack.server.port });
    const { context, page, problems } = await openPage(
      session.browser,
      `http://127.0.0.1:${proxy.port}`,
      { viewport: { width: 1280, height: 800 } },
    );
    await register(page, newAccount("outage"));
    session.stack.fixture.enqueue({ reply: "Kept safe on the server." });
    await send(page, "remember this");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    const chatUrl = page.url();
    // A fresh page on the empty "new chat" pane: the sidebar lists the chat, nothing is cached.
    await page.goto("/");
    await page
      .getByRole("link", { name: /remember this|New chat/ })
      .first()
      .waitFor();

    await proxy.cut();
    await page
      .getByRole("link", { name: /remember this|New chat/ })
      .first()
      .click();
    await page.getByTestId("chat-load-error").waitFor();
    await page.getByText(/cannot be loaded while the server is unreachable/).waitFor();
    await page.getByText("Cannot reach the server. Reconnecting…").waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).not.toBe("New chat");

    await send(page, "written while down");
    await page.getByText(/Not sent: the server cannot be reached\. Your message is kept/).waitFor();
    expect(await composer(page).inputValue()).toBe("written while down");

    await proxy.restore();
    await page.getByText("Connected again.").waitFor({ timeout: 30_000 });
    expect(page.url()).toBe(chatUrl);
    await page.getByText("Kept safe on the server.").waitFor();
    await expect.poll(() => page.getByTestId("chat-load-error").count()).toBe(0);
    // The banner goes away by itself.
    await expect
      .poll(() => page.getByTestId("connection").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("online");

    await page.getByRole("button", { name: "Try again" }).click();
    await expect.poll(() => replies(page).count()).toBe(2);
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    expect(await composer(page).inputValue()).toBe("");
    expect(problems.errors).toEqual([]);
    await context.close();
    await proxy.close();
  });

  it("shows the offline banner in Russian, dark, at phone width, and the app stays signed in", async () => {
    const { context, page } = await session.openPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: "dark",
    });
    await context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );
    await page.goto("/");
    await page.getByRole("button", { name: "Создать аккаунт" }).click();
    const account = newAccount("offline");
    await page.getByLabel("Имя пользователя").fill(account.username);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Пароль").fill(account.password);
    await page.getByRole("button", { name: "Создать аккаунт" }).click();
    await page.locator("#composer").waitFor();

    await context.setOffline(true);
    await page.getByText("Нет сети. Parley переподключится, когда она появится.").waitFor();
    const banner = page.getByTestId("connection");
    const box = await banner.boundingBox();
    expect(box?.width).toBeLessThanOrEqual(390);
    await context.setOffline(false);
    await page.getByText("Соединение восстановлено.").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Открыть список бесед" }).click();
    await page.getByRole("button", { name: "Выйти" }).waitFor();
    await context.close();
  });
});

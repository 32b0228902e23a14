import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { composer, newAccount, register, replies, send, signIn } from "./steps";

const skip = browserMissing();
const disabledEn = "This account has been disabled. Ask your administrator to enable it again.";
const disabledRu = "Эта учётная запись отключена. Попросите администратора снова её включить.";

describe.skipIf(skip)("a disabled account in the browser", () => {
  const session = useBrowserSession();

  it("is told its account is disabled, mid-session, after a reload and on sign-in, not that the session ended", async () => {
    const admin = await session.openPage();
    await register(admin.page, newAccount("root"));
    const user = await session.openPage({ viewport: { width: 390, height: 844 } });
    const bob = newAccount("bob");
    await register(user.page, bob);
    await send(user.page, "hello before");
    await expect.poll(() => replies(user.page).last().getAttribute("data-status")).toBe("complete");
    // A second browser (Russian, dark) holding the same session, for after the disabling.
    const ru = await session.openPage({ colorScheme: "dark" });
    await ru.context.addCookies(await user.context.cookies());
    await ru.context.addInitScript(() =>
      localStorage.setItem("parley.prefs", JSON.stringify({ theme: "dark", language: "ru" })),
    );

    await admin.page.goto("/admin");
    await admin.page.getByRole("button", { name: `Disable: ${bob.username}` }).click();
    await admin.page.getByRole("button", { name: `Enable: ${bob.username}` }).waitFor();

    // Mid-session: the next call is refused (a send, unless a background refetch got there
    // first), and the sign-in screen says why.
    if (await composer(user.page).isVisible())
      await composer(user.page)
        .fill("hello after", { timeout: 2_000 })
        .then(() => composer(user.page).press("Enter", { timeout: 2_000 }))
        .catch(() => undefined);
    const notice = user.page.getByTestId("account-disabled");
    await notice.waitFor();
    expect(await notice.textContent()).toBe(disabledEn);
    expect(await user.page.getByText("Your session has ended").count()).toBe(0);
    await user.page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();

    // Signing in again is refused with the same words.
    await signIn(user.page, bob.username, bob.password);
    await user.page.locator("form").getByText(disabledEn).waitFor();
    expect(await composer(user.page).count()).toBe(0);

    // A browser that still holds the cookie learns it at start-up, in its language.
    await ru.page.goto("/");
    const ruNotice = ru.page.getByTestId("account-disabled");
    await ruNotice.waitFor();
    expect(await ruNotice.textContent()).toBe(disabledRu);
    expect(await ru.page.getByText("Сеанс завершён").count()).toBe(0);
    expect(await ru.page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(
      true,
    );

    // Enabled again, the account signs in as before.
    await admin.page.getByRole("button", { name: `Enable: ${bob.username}` }).click();
    await admin.page.getByRole("button", { name: `Disable: ${bob.username}` }).waitFor();
    await user.page.reload();
    await signIn(user.page, bob.username, bob.password);
    await composer(user.page).waitFor();

    for (const p of [admin, user, ru]) expect(p.problems.errors).toEqual([]);
    for (const p of [admin, user, ru]) await p.context.close();
  });
});

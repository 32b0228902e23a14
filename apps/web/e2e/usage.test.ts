import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { newAccount, register, replies, send } from "./steps";

const skip = browserMissing();

describe.skipIf(skip)("usage and quotas in the browser", () => {
  const session = useBrowserSession();

  it("a user sees their tokens and chart in Settings → Usage; an admin's quota shows there", async () => {
    const admin = await session.openPage();
    const root = newAccount("root");
    await register(admin.page, root);
    const user = await session.openPage({ viewport: { width: 390, height: 844 } });
    const bob = newAccount("bob");
    await register(user.page, bob);

    await send(user.page, "count my tokens");
    await expect.poll(() => replies(user.page).count()).toBe(1);
    await expect.poll(() => session.stack.fixture.calls.length).toBeGreaterThan(0);

    await user.page.goto("/settings/usage");
    const today = user.page.getByTestId("usage-today");
    await today.getByText("Prompt tokens").waitFor();
    await today.getByText("Completion tokens").waitFor();
    // The fixture reports usage for each reply, so today's total is no longer zero.
    await expect
      .poll(async () => (await today.locator("dd").last().textContent())?.trim())
      .not.toBe("0");
    await user.page
      .getByRole("table", { name: "This month by model" })
      .getByText("fixture-small")
      .waitFor();
    const bars = user.page.getByTestId("usage-chart").locator('rect[data-model="fixture-small"]');
    await expect.poll(() => bars.count()).toBe(1);
    await user.page.getByTestId("usage-quota").getByText("No daily limit").waitFor();

    await admin.page.goto("/admin");
    await admin.page.getByLabel(`Daily token limit: ${bob.username}`).fill("5000");
    await admin.page
      .getByRole("listitem")
      .filter({ hasText: bob.username })
      .getByRole("button", { name: "Save limit" })
      .click();
    await admin.page
      .getByTestId(`quota-${bob.username}`)
      .getByText("Set for this user: 5,000")
      .waitFor();

    await user.page.reload();
    await user.page
      .getByTestId("usage-quota")
      .getByText(/tokens left today/)
      .waitFor();
    expect(await user.page.getByTestId("usage-quota").textContent()).toContain("of 5,000 tokens");
    await user.page
      .getByTestId("usage-quota")
      .getByText(/^Resets /)
      .waitFor();

    expect(user.problems.cspViolations).toEqual([]);
    expect(admin.problems.cspViolations).toEqual([]);
    expect(user.problems.errors).toEqual([]);
    expect(admin.problems.errors).toEqual([]);
    await admin.context.close();
    await user.context.close();
  });
});

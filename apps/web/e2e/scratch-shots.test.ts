import { it } from "vitest";
import { launchBrowser, openPage, startStack, uniqueName } from "./harness";
it("scratch", async () => {
  const stack = await startStack();
  const browser = await launchBrowser();
  try {
    const { page, problems } = await openPage(browser, stack.baseUrl, { viewport: { width: 1280, height: 800 } });
    await page.goto("/");
    await page.getByText("Connected to server").waitFor();
    await page.screenshot({ path: "/tmp/shots/signin.png" });
    await page.getByRole("button", { name: "Create account" }).click();
    const name = uniqueName("ada");
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Email").fill(`${name}@example.com`);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("button", { name: "New chat" }).waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: "/tmp/shots/app.png" });
    await page.goto("/settings/sessions");
    await page.waitForTimeout(800);
    await page.screenshot({ path: "/tmp/shots/settings.png" });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/");
    await page.waitForTimeout(800);
    await page.screenshot({ path: "/tmp/shots/phone.png" });
    console.log(problems);
  } finally {
    await browser.close();
    await stack.close();
  }
});

import { readFile } from "node:fs/promises";
import path from "node:path";
import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { browserMissing, repoRoot, useBrowserSession } from "./harness";
import { newAccount, register } from "./steps";

const skip = browserMissing();
const fixture = path.join(repoRoot, "packages/api/test/fixtures/chatgpt-conversations.json");

describe.skipIf(skip)("importing and exporting one's data", () => {
  const session = useBrowserSession();

  it("imports a ChatGPT export from Settings, and shows what it left out", async () => {
    const { context, page, problems } = await session.openPage();
    await register(page, newAccount("importer"));
    await page.goto("/settings/data");
    await page.getByRole("heading", { name: "Import conversations" }).waitFor();
    await page.getByLabel("Import a file").setInputFiles(fixture);
    await page.getByText("Imported 2 conversations with 6 messages.").waitFor();
    await page.getByText("“Trip to Kazan”: 1 tool message left out").waitFor();

    // A file that is not an export: a clear message, nothing imported.
    await page.goto("/settings/data");
    await page.getByLabel("Import a file").setInputFiles({
      name: "notes.json",
      mimeType: "application/json",
      buffer: Buffer.from('{"hello": "world"}'),
    });
    await page
      .getByRole("alert")
      .getByText("This file is neither a ChatGPT export (conversations.json) nor a Parley export")
      .waitFor();
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("downloads everything as one zip", async () => {
    const { context, page } = await session.openPage();
    await register(page, newAccount("exporter"));
    await page.goto("/settings/data");
    await page.getByLabel("Import a file").setInputFiles(fixture);
    await page.getByText("Imported 2 conversations with 6 messages.").waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download everything (.zip)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^parley-export-\d{4}-\d{2}-\d{2}\.zip$/);
    const file = await download.path();
    const zip = await JSZip.loadAsync(await readFile(file));
    const history = JSON.parse(await zip.file("conversations.json")!.async("string")) as {
      conversations: Array<{ title: string; messages: unknown[] }>;
    };
    expect(history.conversations.map((c) => [c.title, c.messages.length])).toEqual([
      ["Trip to Kazan", 6],
      ["Empty draft", 0],
    ]);
    await context.close();
  });
});

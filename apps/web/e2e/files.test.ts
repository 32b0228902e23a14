import { samplePng } from "@parley/testing";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserMissing, useBrowserSession } from "./harness";
import { composer, newAccount, register, replies, send, userMessages } from "./steps";

const skip = browserMissing();

/** The per-file limit of this stack: small, so a "too big" file is quick to make. */
const MAX_FILE_BYTES = 200 * 1024;

type Part = { type: string; text?: string; image_url?: { url: string } };

/** Picks files with the Attach button, through the browser's file chooser. */
async function attachByButton(
  page: Page,
  files: Array<{ name: string; mimeType: string; buffer: Buffer }>,
): Promise<void> {
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Attach files" }).click();
  await (await chooser).setFiles(files);
}

/** What a drop from the desktop does: dragenter, dragover and drop carrying the files. */
async function dropOnComposer(
  page: Page,
  file: { name: string; type: string; base64: string },
): Promise<void> {
  await page.evaluate(({ name, type, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, { type }));
    const target = document.getElementById("composer")!;
    for (const kind of ["dragenter", "dragover", "drop"])
      target.dispatchEvent(
        new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }),
      );
  }, file);
}

/** What pasting a screenshot does: a paste event whose clipboard holds an image file. */
async function pasteIntoComposer(
  page: Page,
  file: { name: string; type: string; base64: string },
): Promise<void> {
  await composer(page).focus();
  await page.evaluate(({ name, type, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, { type }));
    document
      .getElementById("composer")!
      .dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
      );
  }, file);
}

const chips = (page: Page) => page.getByTestId("composer-attachment");

async function imageLoaded(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((img: HTMLImageElement) => img.naturalWidth);
}

describe.skipIf(skip)("attachments in the browser", () => {
  const session = useBrowserSession({
    env: () => Promise.resolve({ FILE_MAX_BYTES: String(MAX_FILE_BYTES) }),
  });

  it("attaches by the button, by drag and drop and by paste; the message shows them and the model gets the images", async () => {
    const { context, page, problems } = await session.openPage();
    await register(page, newAccount("files"));
    const red = await samplePng(64, 48, "#cc2200");
    const blue = await samplePng(40, 40, "#2244ee");

    await attachByButton(page, [{ name: "red.png", mimeType: "image/png", buffer: red }]);
    await dropOnComposer(page, {
      name: "notes.md",
      type: "text/markdown",
      base64: Buffer.from("# Notes\n\nThe launch is on Tuesday.").toString("base64"),
    });
    await pasteIntoComposer(page, {
      name: "image.png",
      type: "image/png",
      base64: blue.toString("base64"),
    });
    await expect.poll(() => chips(page).count()).toBe(3);
    await expect
      .poll(() => chips(page).evaluateAll((els) => els.map((el) => el.dataset.status)))
      .toEqual(["ready", "ready", "ready"]);
    // Chips name each file with its size and type; the pasted text box kept no file name.
    await chips(page)
      .filter({ hasText: "notes.md" })
      .getByText(/bytes · MD$/)
      .waitFor();
    await chips(page)
      .filter({ hasText: "red.png" })
      .getByText(/· PNG$/)
      .waitFor();
    expect(await composer(page).inputValue()).toBe("");

    session.stack.fixture.reset();
    await send(page, "What is in these?");
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    expect(await chips(page).count()).toBe(0);

    // The model received both images as image parts and the note's text.
    const call = session.stack.fixture.calls.filter((c) => c.stream).at(-1)!;
    const parts = call.rawMessages.find((m) => m.role === "user")!.content as Part[];
    expect(parts.filter((p) => p.type === "image_url")).toHaveLength(2);
    for (const part of parts.filter((p) => p.type === "image_url"))
      expect(part.image_url!.url).toMatch(/^data:image\/png;base64,/);
    const text = parts.find((p) => p.type === "text")!.text!;
    expect(text).toMatch(/<document name="notes.md"[^>]*>\n# Notes\n\nThe launch is on Tuesday\./);
    expect(text.endsWith("What is in these?")).toBe(true);

    // The sent message previews them: thumbnails for images, a chip for the document.
    const question = userMessages(page).last();
    const thumbs = question.locator('[data-testid="message-attachment"][data-kind="image"] img');
    await expect.poll(() => thumbs.count()).toBe(2);
    await expect
      .poll(() =>
        thumbs.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)),
      )
      .toEqual([64, 40]);
    await question.getByRole("button", { name: "Download notes.md" }).waitFor();

    // Clicking a thumbnail opens the image full size; Escape closes it.
    await question.getByRole("button", { name: "Open image red.png" }).click();
    const viewer = page.getByRole("dialog", { name: "red.png" });
    await viewer.waitFor();
    await expect.poll(() => imageLoaded(page, '[data-testid="image-viewer"]')).toBe(64);
    await page.keyboard.press("Escape");
    await viewer.waitFor({ state: "hidden" });

    // The preview survives a reload (read back from messages.list).
    await page.reload();
    await expect
      .poll(() => userMessages(page).last().locator('[data-testid="message-attachment"]').count())
      .toBe(3);

    // Settings shows the storage the three files use.
    await page.goto("/settings/files");
    await expect
      .poll(() => page.getByTestId("storage-usage").textContent())
      .toMatch(/^[1-9][\d.]* (bytes|kB) of 1 GB used$/);
    await page.getByRole("list", { name: "Files" }).getByText("notes.md").waitFor();

    expect(problems.cspViolations).toEqual([]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("sends an image alone: Send wakes up once the file is stored, and the message is just the picture", async () => {
    const { context, page, problems } = await session.openPage();
    await register(page, newAccount("alone"));
    const sendButton = page.getByRole("button", { name: "Send" });
    expect(await composer(page).inputValue()).toBe("");
    expect(await sendButton.isDisabled()).toBe(true);

    // A refused file alone does not make a message.
    await attachByButton(page, [
      { name: "fake.png", mimeType: "image/png", buffer: Buffer.from("not an image at all") },
    ]);
    await expect.poll(() => chips(page).first().getAttribute("data-status")).toBe("failed");
    expect(await sendButton.isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Remove fake.png" }).click();

    const green = await samplePng(48, 32, "#22aa44");
    await attachByButton(page, [{ name: "green.png", mimeType: "image/png", buffer: green }]);
    await expect.poll(() => chips(page).first().getAttribute("data-status")).toBe("ready");
    expect(await sendButton.isDisabled()).toBe(false);

    session.stack.fixture.reset();
    await sendButton.click();
    await expect.poll(() => replies(page).last().getAttribute("data-status")).toBe("complete");
    expect(await chips(page).count()).toBe(0);
    const call = session.stack.fixture.calls.filter((c) => c.stream).at(-1)!;
    const parts = call.rawMessages.find((m) => m.role === "user")!.content as Part[];
    expect(parts.map((p) => p.type)).toEqual(["image_url"]);

    // The sent message is the thumbnail, with no empty bubble beside it.
    const question = userMessages(page).last();
    await expect
      .poll(() =>
        question
          .locator('[data-testid="message-attachment"][data-kind="image"] img')
          .evaluate((img) => (img as HTMLImageElement).naturalWidth),
      )
      .toBe(48);
    expect(await question.getByTestId("message-text").count()).toBe(0);
    // The reply has one: the locator does find bubbles where there are some.
    expect(await replies(page).last().getByTestId("message-text").count()).toBe(1);

    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("says inline why a file is refused (too big, wrong type, not what it claims), and can cancel an upload", async () => {
    // A phone: the chips and their errors must fit without scrolling sideways.
    const { context, page, problems } = await session.openPage({
      viewport: { width: 390, height: 844 },
    });
    await register(page, newAccount("refused"));
    await attachByButton(page, [
      { name: "big.txt", mimeType: "text/plain", buffer: Buffer.alloc(MAX_FILE_BYTES + 1, 0x61) },
      { name: "setup.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ\x90") },
      { name: "fake.png", mimeType: "image/png", buffer: Buffer.from("not an image, just words") },
    ]);
    await expect
      .poll(() => chips(page).evaluateAll((els) => els.map((el) => el.dataset.status)))
      .toEqual(["failed", "failed", "failed"]);
    const alertOf = (name: string) => chips(page).filter({ hasText: name }).getByRole("alert");
    expect(await alertOf("big.txt").textContent()).toBe(
      "“big.txt” is too large: files may be up to 200 kB.",
    );
    expect(await alertOf("setup.exe").textContent()).toMatch(
      /^“setup.exe” cannot be attached: Parley takes images \(PNG, JPEG, WebP, GIF\)/,
    );
    expect(await alertOf("fake.png").textContent()).toMatch(/not what its type says/);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBe(0);

    // Refused files are removed with their button, by keyboard too.
    await page.getByRole("button", { name: "Remove setup.exe" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Remove big.txt" }).click();
    await page.getByRole("button", { name: "Remove fake.png" }).click();
    await expect.poll(() => chips(page).count()).toBe(0);

    // An upload in flight (held here) shows its progress bar and can be cancelled.
    let release: () => void = () => {};
    await page.route("**/api/files", (route) => {
      release = () => void route.abort().catch(() => {});
    });
    await attachByButton(page, [
      { name: "slow.txt", mimeType: "text/plain", buffer: Buffer.from("wait for it") },
    ]);
    await page.getByRole("progressbar", { name: "Uploading slow.txt" }).waitFor();
    await composer(page).fill("sent without the file");
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Cancel upload of slow.txt" }).click();
    await expect.poll(() => chips(page).count()).toBe(0);
    release();
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(false);

    expect(problems.errors).toEqual([]);
    await context.close();
  });
});

if (skip) {
  // Visible in the report as skipped, with the reason; never a green pass.
  it.skip(`attachments in the browser: skipped because ${skip}`, () => {});
}

import { expect } from "vitest";
import type { Locator, Page } from "playwright-core";
import { uniqueName } from "./harness";

/** Small, named user actions shared by the browser tests. */

export interface Account {
  username: string;
  email: string;
  password: string;
}

export function newAccount(prefix = "user"): Account {
  const username = uniqueName(prefix);
  return { username, email: `${username}@example.com`, password: "correct horse battery" };
}

/** The registration form: a fresh install opens on it, otherwise it is one click away. */
export async function openRegistration(page: Page): Promise<void> {
  const heading = page.getByRole("heading", {
    name: /^(Sign in to Parley|Create your Parley account)$/,
  });
  await heading.waitFor();
  await page.locator('[aria-busy="false"]').waitFor();
  if ((await heading.textContent()) === "Sign in to Parley")
    await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Create your Parley account" }).waitFor();
}

export async function register(page: Page, account: Account): Promise<void> {
  await page.goto("/");
  await openRegistration(page);
  await page.getByLabel("Username").fill(account.username);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByLabel("Message", { exact: true }).waitFor();
}

export async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel("Username or email").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export function composer(page: Page): Locator {
  return page.getByLabel("Message", { exact: true });
}

export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press("Enter");
}

export function replies(page: Page): Locator {
  return page.locator('article[data-role="assistant"]');
}

export function userMessages(page: Page): Locator {
  return page.locator('article[data-role="user"]');
}

/** The sidebar: always visible on wide screens, a drawer opened from the header on phones. */
export async function openSidebar(page: Page): Promise<void> {
  const opener = page.getByRole("button", { name: "Open conversations" });
  if (await opener.isVisible()) {
    await opener.click();
    await page.locator('aside[data-open="true"]').waitFor();
  }
}

export async function closeSidebar(page: Page): Promise<void> {
  // Picking a conversation closes the drawer by itself; only an open drawer needs closing.
  if (await page.locator('aside[data-open="true"]').count()) {
    await page.getByRole("button", { name: "Close conversations" }).click();
  }
}

/** The words "w1 w2 … wN" the model fixture streams, as numbers; fails on any gap or repeat. */
export function numberedWordsIn(text: string): number[] {
  const numbers = [...text.matchAll(/\bw(\d+)\b/g)].map((m) => Number(m[1]));
  numbers.forEach((n, i) =>
    expect(n, `word ${i + 1} of ${JSON.stringify(text.slice(0, 200))}`).toBe(i + 1),
  );
  return numbers;
}

export async function lastReplyText(page: Page): Promise<string> {
  return (await replies(page).last().locator(".markdown").first().textContent()) ?? "";
}

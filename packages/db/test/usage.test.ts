import { backendName, createTestDatabase, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usage, users } from "../src";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.cleanup());

function newUser(name: string) {
  return users.createUser(t.db, {
    username: name,
    email: `${name}@example.com`,
    passwordHash: "argon2id-hash-placeholder",
  });
}

async function recordAt(
  userId: string,
  at: Date,
  model: string,
  prompt: number,
  completion: number,
) {
  await usage.recordUsage(t.db, {
    userId,
    source: "api",
    model,
    promptTokens: prompt,
    completionTokens: completion,
    estimated: model === "local",
  });
  // Backdate the row just written, to place it on another day.
  await t.db.prisma.usageRecord.updateMany({
    where: { userId, createdAt: { gt: new Date(Date.now() - 60_000) } },
    data: { createdAt: at },
  });
}

describe(`usage queries on ${backendName()}`, () => {
  it("sums tokens per user since a time, and per UTC day and model, never mixing users", async () => {
    const ada = await newUser("usage_ada");
    const bob = await newUser("usage_bob");
    const yesterday = new Date(Date.UTC(2026, 10, 30, 23, 30));
    const today = new Date(Date.UTC(2026, 11, 1, 0, 30));
    await recordAt(ada.id, yesterday, "gpt", 10, 5);
    await recordAt(ada.id, today, "gpt", 7, 3);
    await recordAt(ada.id, today, "local", 2, 2);
    await recordAt(bob.id, today, "gpt", 1000, 1000);

    const midnight = new Date(Date.UTC(2026, 11, 1));
    expect(await usage.tokensSince(t.db, ada.id, midnight)).toBe(14);
    expect(await usage.tokensSince(t.db, ada.id, new Date(Date.UTC(2026, 10, 1)))).toBe(29);

    const days = await usage.dailyUsage(t.db, ada.id, new Date(Date.UTC(2026, 10, 1)));
    expect(days).toEqual([
      {
        day: "2026-11-30",
        model: "gpt",
        source: "api",
        promptTokens: 10,
        completionTokens: 5,
        estimatedReplies: 0,
        replies: 1,
      },
      {
        day: "2026-12-01",
        model: "gpt",
        source: "api",
        promptTokens: 7,
        completionTokens: 3,
        estimatedReplies: 0,
        replies: 1,
      },
      {
        day: "2026-12-01",
        model: "local",
        source: "api",
        promptTokens: 2,
        completionTokens: 2,
        estimatedReplies: 1,
        replies: 1,
      },
    ]);

    const byUser = await usage.usageByUser(t.db, {
      today: midnight,
      month: new Date(Date.UTC(2026, 11, 1)),
      limit: 10,
    });
    expect(byUser.map((u) => [u.username, u.tokensToday, u.tokensMonth])).toEqual([
      ["usage_bob", 2000, 2000],
      ["usage_ada", 14, 14],
    ]);
  });

  it("sets, replaces and removes a quota override, returning the previous one", async () => {
    const admin = await newUser("usage_admin");
    const cy = await newUser("usage_cy");
    expect(await usage.findQuotaOverride(t.db, cy.id)).toBeNull();
    const set = { userId: cy.id, updatedById: admin.id };
    expect(await usage.setQuotaOverride(t.db, { ...set, tokensPerDay: 500 })).toEqual({
      previous: null,
    });
    expect(await usage.setQuotaOverride(t.db, { ...set, tokensPerDay: 0 })).toEqual({
      previous: 500,
    });
    expect(await usage.findQuotaOverride(t.db, cy.id)).toBe(0);
    expect(await usage.setQuotaOverride(t.db, { ...set, tokensPerDay: null })).toEqual({
      previous: 0,
    });
    expect(await usage.findQuotaOverride(t.db, cy.id)).toBeNull();
  });
});

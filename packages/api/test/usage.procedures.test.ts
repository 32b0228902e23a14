import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { countPromptTokens, countTextTokens } from "../src";
import {
  collectStream,
  createChatTestContext,
  newClientId,
  type ChatTestContext,
} from "./chat-support";
import { codeOf, type Registered } from "./support";
import { backendName } from "@parley/testing";

const backend = backendName();
const QUOTA = 60;

let t: ChatTestContext;
let admin: Registered;
let bob: Registered;
let carol: Registered;

beforeAll(async () => {
  t = await createChatTestContext({ quotaTokensPerDay: QUOTA });
  admin = await t.register("usage_admin");
  bob = await t.register("usage_bob");
  carol = await t.register("usage_carol");
});
afterAll(() => t?.cleanup());
beforeEach(() => t.fixture.reset());

async function chatOnce(user: Registered, content: string) {
  const api = await t.as(user);
  const sent = await api.chat.send({ content, clientMessageId: newClientId() });
  const stream = await collectStream(
    await api.chat.stream({ messageId: sent.assistantMessage.id }),
  );
  return { sent, stream };
}

describe(`usage and quotas (${backend})`, () => {
  it("records the provider's figures for a chat reply; user.usage shows today, month, model and day", async () => {
    const { stream } = await chatOnce(bob, "Count me");
    expect(stream.final?.status).toBe("complete");
    const reported = stream.final!.usage!;
    const total = reported.promptTokens + reported.completionTokens;

    const usage = await (await t.as(bob)).user.usage();
    expect(usage.today).toEqual({
      promptTokens: reported.promptTokens,
      completionTokens: reported.completionTokens,
      totalTokens: total,
    });
    expect(usage.month.totalTokens).toBe(total);
    expect(usage.perModel).toEqual([
      {
        model: "fixture-small",
        promptTokens: reported.promptTokens,
        completionTokens: reported.completionTokens,
        totalTokens: total,
        replies: 1,
        estimatedReplies: 0,
      },
    ]);
    expect(usage.perSource).toEqual({ chat: total, api: 0 });
    expect(usage.perDay).toHaveLength(30);
    expect(usage.perDay.at(-1)).toEqual({
      day: new Date().toISOString().slice(0, 10),
      totalTokens: total,
      byModel: { "fixture-small": total },
    });
    expect(usage.quota).toMatchObject({ limit: QUOTA, used: total, overridden: false });
    expect(usage.quota.resetsAt.getTime()).toBe(
      Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`) + 86_400_000,
    );
  });

  it("a provider that reports no usage is counted by the tokenizer and marked estimated", async () => {
    const content = "[[fixture usage=none reply=Seven%20words%20of%20a%20reply%20right%20here]] Hi";
    const { stream } = await chatOnce(carol, content);
    expect(stream.final).toMatchObject({ status: "complete", usage: null });
    const usage = await (await t.as(carol)).user.usage();
    expect(usage.perModel[0]).toMatchObject({ replies: 1, estimatedReplies: 1 });
    expect(usage.today.completionTokens).toBe(countTextTokens("Seven words of a reply right here"));
    expect(usage.today.promptTokens).toBe(countPromptTokens([{ role: "user", content }]));
  });

  it("over the daily quota, send and regenerate are refused with TOO_MANY_REQUESTS and Retry-After; the running reply finished", async () => {
    const dave = await t.register("usage_dave");
    const api = await t.as(dave);
    // One long reply takes dave far past the quota: it was allowed to start, so it finishes.
    const { sent, stream } = await chatOnce(dave, "[[fixture words=80]] long one");
    expect(stream.final?.status).toBe("complete");
    expect(stream.text.split(" ")).toHaveLength(80);
    expect((await api.user.usage()).quota.used).toBeGreaterThan(QUOTA);

    const { api: withHeaders, req } = await t.caller({ token: dave.accessToken });
    const refused = await withHeaders.chat
      .send({ content: "one more", clientMessageId: newClientId() })
      .catch((error: unknown) => error as { code: string; message: string });
    expect(refused).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect((refused as { message: string }).message).toMatch(
      /daily quota of 60 tokens; it resets at/,
    );
    const retryAfter = Number(req.responseHeaders.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(await codeOf(api.chat.regenerate({ messageId: sent.assistantMessage.id }))).toBe(
      "TOO_MANY_REQUESTS",
    );
    // Nothing reached the model after the refusal.
    expect(t.fixture.calls.filter((c) => c.stream)).toHaveLength(1);
  });

  it("an admin's override applies at once: 0 is unlimited, null goes back to the default", async () => {
    const erin = await t.register("usage_erin");
    const api = await t.as(erin);
    const adminApi = await t.as(admin);
    await chatOnce(erin, "[[fixture words=80]] spend it all");
    expect(await codeOf(api.chat.send({ content: "x", clientMessageId: newClientId() }))).toBe(
      "TOO_MANY_REQUESTS",
    );

    expect(await adminApi.user.admin.setQuota({ userId: erin.id, tokensPerDay: 0 })).toEqual({
      userId: erin.id,
      actorId: admin.id,
      previous: null,
      tokensPerDay: 0,
    });
    expect((await api.user.usage()).quota).toMatchObject({
      limit: 0,
      remaining: null,
      overridden: true,
    });
    expect((await chatOnce(erin, "now allowed")).stream.final?.status).toBe("complete");

    await adminApi.user.admin.setQuota({ userId: erin.id, tokensPerDay: 1_000_000 });
    expect((await api.user.usage()).quota.limit).toBe(1_000_000);
    await adminApi.user.admin.setQuota({ userId: erin.id, tokensPerDay: null });
    expect((await api.user.usage()).quota).toMatchObject({ limit: QUOTA, overridden: false });
    expect(await codeOf(api.chat.send({ content: "x", clientMessageId: newClientId() }))).toBe(
      "TOO_MANY_REQUESTS",
    );

    const view = await adminApi.user.admin.usage();
    expect(view.defaultTokensPerDay).toBe(QUOTA);
    const row = view.users.find((u) => u.userId === erin.id);
    expect(row).toMatchObject({ username: "usage_erin", quota: QUOTA, quotaOverride: null });
    expect(row!.tokensToday).toBeGreaterThan(QUOTA);
    expect(row!.tokensMonth).toBe(row!.tokensToday);
  });

  it("admin procedures refuse non-admins, bad numbers and unknown users", async () => {
    const bobApi = await t.as(bob);
    const adminApi = await t.as(admin);
    expect(await codeOf(bobApi.user.admin.setQuota({ userId: bob.id, tokensPerDay: 0 }))).toBe(
      "FORBIDDEN",
    );
    expect(await codeOf(bobApi.user.admin.usage())).toBe("FORBIDDEN");
    expect(await codeOf(adminApi.user.admin.setQuota({ userId: bob.id, tokensPerDay: -1 }))).toBe(
      "BAD_REQUEST",
    );
    expect(await codeOf(adminApi.user.admin.setQuota({ userId: bob.id, tokensPerDay: 1.5 }))).toBe(
      "BAD_REQUEST",
    );
    expect(
      await codeOf(
        adminApi.user.admin.setQuota({
          userId: "00000000-0000-4000-8000-000000000000",
          tokensPerDay: 5,
        }),
      ),
    ).toBe("NOT_FOUND");
  });

  it("user.usage never shows another user's tokens", async () => {
    const frank = await t.register("usage_frank");
    const usage = await (await t.as(frank)).user.usage();
    expect(usage.today.totalTokens).toBe(0);
    expect(usage.perModel).toEqual([]);
    expect(usage.perDay.every((d) => d.totalTokens === 0)).toBe(true);
  });
});

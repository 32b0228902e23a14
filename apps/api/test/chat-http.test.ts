import type { ModelFixture } from "@parley/model-fixture";
import { signUp, TRPCClientError, type SignedIn } from "@parley/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  eventually,
  finishedReply,
  codeOf,
  newClientId,
  readStream,
  startChatServer,
  type ChatServer,
} from "./chat-helpers";
import type { TestServer } from "./ops-helpers";
import { backendName } from "@parley/testing";

const where = backendName();

describe(`chat over HTTP through @parley/client (${where})`, () => {
  let chat: ChatServer;
  let fixture: ModelFixture;
  let server: TestServer;
  let alice: SignedIn;

  beforeAll(async () => {
    chat = await startChatServer("alice_http");
    ({ fixture, server, user: alice } = chat);
  });
  afterAll(() => chat?.stop());
  beforeEach(() => fixture.reset());
  /** The usage recorded for a reply, once it is there. */
  const usageOf = (messageId: string) =>
    eventually(() =>
      server.server.deps.db.prisma.usageRecord
        .findFirst({ where: { messageId } })
        .then((row) => row ?? undefined),
    );

  it("§6.1 end to end: send returns both rows at once, the subscription streams the reply, the reply is stored", async () => {
    const content = "[[fixture ttft=100 delay=20]] Hello over HTTP";
    const sent = await alice.client.chat.send.mutate({ content, clientMessageId: newClientId() });
    expect(sent.userMessage).toMatchObject({ role: "user", content, status: "complete" });
    expect(sent.assistantMessage).toMatchObject({ role: "assistant", status: "streaming" });
    expect(sent.userMessage.createdAt).toBeInstanceOf(Date);

    const stream = await readStream(alice.client, { messageId: sent.assistantMessage.id });
    expect(stream.errorCode).toBeNull();
    expect(stream.text).toBe("Echo: Hello over HTTP");
    expect(stream.deltas.length).toBeGreaterThan(1);
    expect(stream.final).toMatchObject({
      status: "complete",
      model: "fixture-small",
      usage: { completionTokens: 4 },
    });

    const stored = await finishedReply(
      alice.client,
      sent.conversation.id,
      sent.assistantMessage.id,
    );
    expect(stored).toMatchObject({
      content: "Echo: Hello over HTTP",
      status: "complete",
      completionTokens: 4,
    });
    expect(fixture.calls.filter((c) => c.stream)).toHaveLength(1);
  });

  it("a client that disconnects mid-stream: the reply completes and is stored; lastEventId yields exactly the rest", async () => {
    const sent = await alice.client.chat.send.mutate({
      content: "[[fixture words=40 delay=15]]",
      clientMessageId: newClientId(),
    });
    const head = await readStream(
      alice.client,
      { messageId: sent.assistantMessage.id },
      { stopAfterDeltas: 4 },
    );
    expect(head.final).toBeNull();
    const stored = await finishedReply(
      alice.client,
      sent.conversation.id,
      sent.assistantMessage.id,
    );
    expect(stored.status).toBe("complete");
    const tail = await readStream(alice.client, {
      messageId: sent.assistantMessage.id,
      lastEventId: head.lastEventId,
    });
    expect(head.text + tail.text).toBe(stored.content);
    expect(stored.content.split(" ")).toHaveLength(40);
    expect(tail.final?.status).toBe("complete");
    // The whole reply is counted, with the provider's figures, though nobody watched it end.
    expect(await usageOf(sent.assistantMessage.id)).toMatchObject({
      userId: alice.user.id,
      source: "chat",
      model: "fixture-small",
      completionTokens: 40,
      estimated: false,
    });
  });

  it("stop ends the reply as stopped with its partial text", async () => {
    const sent = await alice.client.chat.send.mutate({
      content: "[[fixture words=300 delay=20]]",
      clientMessageId: newClientId(),
    });
    const head = await readStream(
      alice.client,
      { messageId: sent.assistantMessage.id },
      { stopAfterDeltas: 3 },
    );
    const stopped = await alice.client.chat.stop.mutate({ messageId: sent.assistantMessage.id });
    expect(stopped.status).toBe("stopped");
    expect(stopped.content.startsWith(head.text)).toBe(true);
    expect(stopped.content).not.toContain("w300");
    // What was written before the stop is counted (by the tokenizer: the provider's usage
    // chunk never came), not the 300 words asked for.
    const usage = await usageOf(sent.assistantMessage.id);
    expect(usage).toMatchObject({ source: "chat", estimated: true });
    expect(usage.completionTokens).toBeGreaterThanOrEqual(3);
    expect(usage.completionTokens).toBeLessThan(300);
  });

  it("a reply nobody watches (the client left right after sending) is still counted", async () => {
    const sent = await alice.client.chat.send.mutate({
      content: "[[fixture words=20 delay=10]]",
      clientMessageId: newClientId(),
    });
    // Nobody subscribes: the reply runs on the server alone.
    const stored = await finishedReply(
      alice.client,
      sent.conversation.id,
      sent.assistantMessage.id,
    );
    expect(stored.status).toBe("complete");
    expect(await usageOf(sent.assistantMessage.id)).toMatchObject({
      source: "chat",
      completionTokens: 20,
    });
  });

  it("an upstream failure mid-stream ends as error with the partial text", async () => {
    const sent = await alice.client.chat.send.mutate({
      content: "[[fixture words=12 fail=mid after=5]]",
      clientMessageId: newClientId(),
    });
    const stream = await readStream(alice.client, { messageId: sent.assistantMessage.id });
    expect(stream).toMatchObject({ text: "w1 w2 w3 w4 w5 ", final: { status: "error" } });
    const stored = await finishedReply(
      alice.client,
      sent.conversation.id,
      sent.assistantMessage.id,
    );
    expect(stored).toMatchObject({ status: "error", content: "w1 w2 w3 w4 w5 " });
  });

  it("a failure before the first token ends as error and keeps the user message", async () => {
    const content = "[[fixture fail=500]] please answer";
    const sent = await alice.client.chat.send.mutate({ content, clientMessageId: newClientId() });
    const stream = await readStream(alice.client, { messageId: sent.assistantMessage.id });
    expect(stream.final).toMatchObject({
      status: "error",
      error: expect.stringMatching(/HTTP 500/),
    });
    const page = await alice.client.chat.messages.list.query({
      conversationId: sent.conversation.id,
    });
    expect(page.items.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", content, "complete"],
      ["assistant", "", "error"],
    ]);
  });

  it("a retried send (same clientMessageId) returns the same rows; the fixture sees one call", async () => {
    const clientMessageId = newClientId();
    const first = await alice.client.chat.send.mutate({
      content: "[[fixture words=5 delay=10]] once",
      clientMessageId,
    });
    const retry = await alice.client.chat.send.mutate({
      content: "[[fixture words=5 delay=10]] once",
      clientMessageId,
    });
    expect(retry.userMessage.id).toBe(first.userMessage.id);
    expect(retry.assistantMessage.id).toBe(first.assistantMessage.id);
    await readStream(alice.client, { messageId: first.assistantMessage.id });
    expect(fixture.calls.filter((c) => c.stream)).toHaveLength(1);
  });

  it("search finds a conversation by a word only in one of its messages", async () => {
    const bob = await signUp(server.base, { username: "bob_search" });
    const hit = await bob.client.chat.send.mutate({
      content: "notes on quokkas and wallabies",
      clientMessageId: newClientId(),
    });
    await bob.client.chat.send.mutate({
      content: "[[fixture words=2]] other topic",
      clientMessageId: newClientId(),
    });
    const found = await bob.client.chat.conversations.list.query({ query: "quokkas" });
    expect(found.items.map((c) => c.id)).toEqual([hit.conversation.id]);
  });

  it("user B gets NOT_FOUND for every chat procedure on A's ids, the subscription included", async () => {
    const sent = await alice.client.chat.send.mutate({
      content: "[[fixture words=3]] secret",
      clientMessageId: newClientId(),
    });
    await readStream(alice.client, { messageId: sent.assistantMessage.id });
    const mallory = await signUp(server.base, { username: "mallory_http" });
    const m = mallory.client.chat;
    const conversationId = sent.conversation.id;
    const messageId = sent.assistantMessage.id;
    const codes = {
      get: await codeOf(m.conversations.get.query({ id: conversationId })),
      update: await codeOf(m.conversations.update.mutate({ id: conversationId, title: "stolen" })),
      delete: await codeOf(m.conversations.delete.mutate({ id: conversationId })),
      export: await codeOf(
        m.conversations.export.query({ id: conversationId, format: "markdown" }),
      ),
      list: await codeOf(m.messages.list.query({ conversationId })),
      switchBranch: await codeOf(m.messages.switchBranch.mutate({ messageId })),
      send: await codeOf(
        m.send.mutate({ conversationId, content: "hi", clientMessageId: newClientId() }),
      ),
      stop: await codeOf(m.stop.mutate({ messageId })),
      regenerate: await codeOf(m.regenerate.mutate({ messageId })),
      stream: (await readStream(mallory.client, { messageId })).errorCode,
    };
    expect(codes).toEqual(Object.fromEntries(Object.keys(codes).map((k) => [k, "NOT_FOUND"])));
    expect(
      (await alice.client.chat.conversations.get.query({ id: conversationId })).title,
    ).not.toBe("stolen");
  });

  it("oversized or malformed input is BAD_REQUEST naming the field, and the process lives on", async () => {
    const fieldsOf = async (promise: Promise<unknown>) => {
      const error = (await promise.catch((e: unknown) => e)) as TRPCClientError<never>;
      expect(error).toBeInstanceOf(TRPCClientError);
      const data = error.data as unknown as {
        code: string;
        httpStatus: number;
        zodError: { fieldErrors: Record<string, string[]> };
      };
      expect(data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400 });
      return Object.keys(data.zodError.fieldErrors);
    };
    const chat = alice.client.chat;
    expect(
      await fieldsOf(
        chat.send.mutate({ content: "x".repeat(32_001), clientMessageId: newClientId() }),
      ),
    ).toEqual(["content"]);
    expect(await fieldsOf(chat.send.mutate({ content: "hi", clientMessageId: "" }))).toEqual([
      "clientMessageId",
    ]);
    expect(
      await fieldsOf(
        chat.send.mutate({ content: 42 as unknown as string, clientMessageId: newClientId() }),
      ),
    ).toEqual(["content"]);
    expect(
      await fieldsOf(chat.messages.list.query({ conversationId: "../../etc/passwd" })),
    ).toEqual(["conversationId"]);
    expect(
      await fieldsOf(chat.conversations.update.mutate({ id: newClientId(), title: "" })),
    ).toEqual(["title"]);
    const stream = await readStream(alice.client, { messageId: "not-a-uuid" });
    expect(stream.errorCode).toBe("BAD_REQUEST");
    // A body far beyond any limit, sent raw.
    const huge = await fetch(`${server.base}/trpc/chat.send`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${alice.accessToken}` },
      body: JSON.stringify({
        json: { content: "z".repeat(2_000_000), clientMessageId: newClientId() },
      }),
    });
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    const garbage = await fetch(`${server.base}/trpc/chat.send`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${alice.accessToken}` },
      body: "{not json",
    });
    expect(garbage.status).toBe(400);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect(await alice.client.chat.models.query()).toMatchObject({ configured: true });
  });
});

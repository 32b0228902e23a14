import { createParleyClient, signUp, type ParleyClient, type SignedIn } from "@parley/client";
import { missing, startNodeProcess, type NodeProcess } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, finishedReply, codeOf, newClientId, readStream } from "./chat-helpers";
import { startReplicaPair, type ReplicaPair } from "./replica-helpers";

/**
 * Two real API processes (`node --import tsx apps/api/src/main.ts`) on one Postgres database
 * and one Redis, as two replicas behind a load balancer. A stream, a stop and a crash must
 * each work across them.
 */
describe.skipIf(missing("postgres") || missing("redis"))(
  "chat across two API processes (Postgres + Redis)",
  () => {
    let pair: ReplicaPair;
    let replicaA: NodeProcess;
    let replicaB: NodeProcess;
    let alice: SignedIn;
    /** Alice's client, talking to replica B. */
    let aliceOnB: ParleyClient;

    beforeAll(async () => {
      pair = await startReplicaPair("replicas", {
        AI_DEFAULT_MODEL: "fixture-small",
        // Short leases and frequent sweeps, so a crash is found quickly.
        GENERATION_LEASE_MS: "1500",
        GENERATION_SWEEP_INTERVAL_MS: "250",
        // A stop must reach the generating replica: B never stops a reply on its own here.
        CHAT_STOP_WAIT_MS: "600000",
      });
      ({ a: replicaA, b: replicaB } = pair);
      alice = await signUp(replicaA.url, { username: "alice_replicas" });
      aliceOnB = createParleyClient({ url: replicaB.url, token: alice.accessToken });
    });

    afterAll(() => pair?.close());

    it("a stream started on A resumes on B with lastEventId: no gap, no duplicate", async () => {
      const sent = await alice.client.chat.send.mutate({
        content: "[[fixture words=60 delay=15]]",
        clientMessageId: newClientId(),
      });
      const head = await readStream(
        alice.client,
        { messageId: sent.assistantMessage.id },
        { stopAfterDeltas: 5 },
      );
      expect(head.final).toBeNull();
      const tail = await readStream(aliceOnB, {
        messageId: sent.assistantMessage.id,
        lastEventId: head.lastEventId,
      });
      expect(tail.final?.status).toBe("complete");
      const stored = await finishedReply(aliceOnB, sent.conversation.id, sent.assistantMessage.id);
      expect(head.text + tail.text).toBe(stored.content);
      expect(stored.content.split(" ")).toHaveLength(60);
    });

    it("a stop sent to B stops the generation running on A", async () => {
      const sent = await alice.client.chat.send.mutate({
        content: "[[fixture words=2000 delay=20]]",
        clientMessageId: newClientId(),
      });
      const head = await readStream(
        alice.client,
        { messageId: sent.assistantMessage.id },
        { stopAfterDeltas: 3 },
      );
      const stopped = await aliceOnB.chat.stop.mutate({ messageId: sent.assistantMessage.id });
      expect(stopped.status).toBe("stopped");
      expect(stopped.content.startsWith(head.text)).toBe(true);
      expect(stopped.content).not.toContain("w2000");
      // A's subscribers see the same end.
      const replay = await readStream(alice.client, { messageId: sent.assistantMessage.id });
      expect(replay).toMatchObject({ text: stopped.content, final: { status: "stopped" } });
    });

    it("user B gets NOT_FOUND on the other replica too, the subscription included", async () => {
      const sent = await alice.client.chat.send.mutate({
        content: "[[fixture words=2]]",
        clientMessageId: newClientId(),
      });
      const mallory = await signUp(replicaB.url, { username: "mallory_replicas" });
      expect(
        await codeOf(
          mallory.client.chat.messages.list.query({ conversationId: sent.conversation.id }),
        ),
      ).toBe("NOT_FOUND");
      expect(
        (await readStream(mallory.client, { messageId: sent.assistantMessage.id })).errorCode,
      ).toBe("NOT_FOUND");
    });

    it("on SIGTERM a replica lets the reply it is writing finish before it exits", async () => {
      const replicaC = await startNodeProcess("apps/api/src/main.ts", { env: pair.env });
      try {
        const onC = createParleyClient({ url: replicaC.url, token: alice.accessToken });
        const sent = await onC.chat.send.mutate({
          content: "[[fixture words=50 delay=20]]",
          clientMessageId: newClientId(),
        });
        await readStream(onC, { messageId: sent.assistantMessage.id }, { stopAfterDeltas: 3 });
        await replicaC.stop(); // SIGTERM; resolves once the process has exited
        expect(replicaC.process.exitCode).toBe(0);
        const page = await aliceOnB.chat.messages.list.query({
          conversationId: sent.conversation.id,
        });
        const reply = page.items.find((m) => m.id === sent.assistantMessage.id);
        expect(reply?.status).toBe("complete");
        expect(reply?.content.split(" ")).toHaveLength(50);
      } finally {
        await replicaC.kill();
      }
    });

    // Last: it kills replica A.
    it("killing A mid-stream leaves the reply interrupted with its partial text, found by B's sweep", async () => {
      const sent = await alice.client.chat.send.mutate({
        content: "[[fixture words=5000 delay=20]]",
        clientMessageId: newClientId(),
      });
      // Watch from B, so the subscriber outlives A.
      const seen = await readStream(
        aliceOnB,
        { messageId: sent.assistantMessage.id },
        { stopAfterDeltas: 5 },
      );
      const watching = readStream(aliceOnB, {
        messageId: sent.assistantMessage.id,
        lastEventId: seen.lastEventId,
      });
      await replicaA.kill();

      const stored = await eventually(async () => {
        const page = await aliceOnB.chat.messages.list.query({
          conversationId: sent.conversation.id,
        });
        const reply = page.items.find((m) => m.id === sent.assistantMessage.id);
        return reply?.status === "interrupted" ? reply : undefined;
      });
      expect(stored.content.startsWith(seen.text)).toBe(true);
      expect(stored.content).not.toContain("w5000");
      expect(stored.error).toMatch(/stopped before it finished/);
      // The subscriber on B gets the rest of the text and the honest end.
      const rest = await watching;
      expect(seen.text + rest.text).toBe(stored.content);
      expect(rest.final?.status).toBe("interrupted");
    });
  },
);

import { signUp } from "@parley/client";
import { startModelFixture, type ModelFixture } from "@parley/model-fixture";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChatServer, type ChatServer } from "./chat-helpers";

const SECOND_KEY = "sk-second-over-http-0123456789";

// A provider an admin adds beside the environment's, through the real server: /v1 offers
// both, and routes each model to its own endpoint.
describe("/v1 with a second provider added by an admin", () => {
  let chat: ChatServer;
  let second: ModelFixture;
  let openai: OpenAI;
  let providerId: string;

  beforeAll(async () => {
    chat = await startChatServer("prov_http_admin");
    second = await startModelFixture({ apiKey: SECOND_KEY, models: ["fixture-large", "other"] });
    const admin = chat.user;
    const created = await admin.client.providers.create.mutate({
      name: "Second",
      baseUrl: second.baseUrl,
      apiKey: SECOND_KEY,
      models: ["fixture-large"],
    });
    providerId = created.id;
    const bob = await signUp(chat.server.base, { username: "prov_http_bob" });
    const key = await bob.client.auth.apiKeys.create.mutate({ name: "sdk" });
    openai = new OpenAI({ baseURL: `${chat.server.base}/v1`, apiKey: key.secret, maxRetries: 0 });
  });
  afterAll(async () => {
    await chat?.stop();
    await second?.close();
  });

  it("lists the models of both providers", async () => {
    const page = await openai.models.list();
    expect(page.data.map((m) => m.id)).toEqual([
      "fixture-small",
      "fixture-large",
      `${providerId}/fixture-large`,
    ]);
    // Only the models the admin listed are offered, not all the endpoint has.
    await expect(openai.models.retrieve(`${providerId}/other`)).rejects.toMatchObject({
      status: 404,
    });
  });

  it("sends each model to its own provider, by the provider's own model id", async () => {
    chat.fixture.reset();
    second.reset();
    const there = await openai.chat.completions.create({
      model: `${providerId}/fixture-large`,
      messages: [{ role: "user", content: "to the second [[fixture words=3]]" }],
    });
    expect(there.choices[0]!.message.content).toBeTruthy();
    expect(second.calls.map((c) => c.model)).toEqual(["fixture-large"]);
    expect(chat.fixture.calls).toHaveLength(0);

    const stream = await openai.chat.completions.create({
      model: "fixture-large",
      messages: [{ role: "user", content: "to the environment's [[fixture words=3]]" }],
      stream: true,
    });
    for await (const _chunk of stream) {
      // drained
    }
    expect(chat.fixture.calls.map((c) => c.model)).toEqual(["fixture-large"]);
    expect(second.calls).toHaveLength(1);
  });
});

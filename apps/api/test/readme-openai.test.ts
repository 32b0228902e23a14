import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { signUp } from "@parley/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChatServer, type ChatServer } from "./chat-helpers";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const README_HOST = "https://parley.example.com";

/** The README's "Parley as an OpenAI-compatible API" section's code block in `lang`. */
function readmeBlock(lang: "ts" | "sh"): string {
  const readme = readFileSync(path.join(repo, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Parley as an OpenAI-compatible API"));
  const block = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(section)?.[1];
  if (!block) throw new Error(`no ${lang} block in the README's /v1 section`);
  return block;
}

/**
 * The README's examples of pointing the openai SDK and curl at Parley, run as written
 * (only the host changed to a real server): a reader who copies them gets an answer.
 */
describe("the README's /v1 examples work as written", () => {
  let chat: ChatServer;
  let apiKey: string;

  beforeAll(async () => {
    // The examples name gpt-4o-mini; the fixture answers any model Parley offers.
    chat = await startChatServer("readme_admin", { AI_MODELS: "gpt-4o-mini" });
    const user = await signUp(chat.server.base, { username: "readme_reader" });
    apiKey = (await user.client.auth.apiKeys.create.mutate({ name: "readme" })).secret;
  });
  afterAll(() => chat?.stop());

  it("the openai SDK example is at most five lines and prints the reply and its usage", async () => {
    const code = readmeBlock("ts");
    expect(code.trim().split("\n").length).toBeLessThanOrEqual(5);
    expect(code).toContain(`${README_HOST}/v1`);
    // Plain JavaScript as well as TypeScript: run it with node from the repository, where
    // `openai` resolves.
    const { stdout } = await run(
      process.execPath,
      ["--input-type=module", "-e", code.replaceAll(README_HOST, chat.server.base)],
      { cwd: repo, env: { ...process.env, PARLEY_API_KEY: apiKey }, timeout: 60_000 },
    );
    expect(stdout).toMatch(/Echo: Hello/);
    expect(stdout).toMatch(/prompt_tokens: \d+/);
    expect(chat.fixture.calls.at(-1)).toMatchObject({ model: "gpt-4o-mini" });
  });

  it("the curl example answers a chat.completion", async () => {
    const command = readmeBlock("sh");
    expect(command).toContain(`${README_HOST}/v1/chat/completions`);
    const { stdout } = await run(
      "bash",
      ["-c", `${command.replaceAll(README_HOST, chat.server.base).trim()} --silent --fail`],
      { env: { ...process.env, PARLEY_API_KEY: apiKey }, timeout: 60_000 },
    );
    const reply = JSON.parse(stdout) as {
      object: string;
      choices: { message: { content: string } }[];
    };
    expect(reply.object).toBe("chat.completion");
    expect(reply.choices[0]!.message.content).toBe("Echo: Hello");
  });
});

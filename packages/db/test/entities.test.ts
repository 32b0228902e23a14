import { backendName, createTestDatabase, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UniqueViolationError, users } from "../src";

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

describe(`entities on ${backendName()}`, () => {
  it("round-trips user → conversation → messages in order", async () => {
    const user = await newUser("ada");
    const conversation = await t.db.prisma.conversation.create({
      data: { userId: user.id, title: "Analytical engines" },
    });
    for (const [i, role] of (["user", "assistant", "user"] as const).entries()) {
      await t.db.prisma.message.create({
        data: {
          conversationId: conversation.id,
          userId: user.id,
          role,
          content: `m${i}`,
          depth: i,
        },
      });
    }
    const messages = await t.db.prisma.message.findMany({
      where: { conversationId: conversation.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { role: true, content: true, status: true },
    });
    expect(messages).toEqual([
      { role: "user", content: "m0", status: "complete" },
      { role: "assistant", content: "m1", status: "complete" },
      { role: "user", content: "m2", status: "complete" },
    ]);
  });

  it("never selects the password hash for a public user", async () => {
    const user = await newUser("grace");
    expect(user).not.toHaveProperty("passwordHash");
    expect(await users.findUserById(t.db, user.id)).not.toHaveProperty("passwordHash");
  });

  it("deleting a user removes their conversations and messages", async () => {
    const user = await newUser("linus");
    const conversation = await t.db.prisma.conversation.create({
      data: { userId: user.id, title: "to be removed" },
    });
    await t.db.prisma.message.create({
      data: { conversationId: conversation.id, userId: user.id, role: "user", content: "hi" },
    });
    await users.deleteUser(t.db, user.id);
    expect(await t.db.prisma.conversation.count({ where: { userId: user.id } })).toBe(0);
    expect(await t.db.prisma.message.count({ where: { conversationId: conversation.id } })).toBe(0);
  });

  it.each([
    ["username", { username: "taken", email: "other@example.com" }],
    ["email", { username: "other", email: "taken@example.com" }],
  ])("a duplicate %s is a typed CONFLICT naming the field", async (field, clash) => {
    await users
      .createUser(t.db, { username: "taken", email: "taken@example.com", passwordHash: "h" })
      .catch(() => {});
    const error = await users
      .createUser(t.db, { ...clash, passwordHash: "h" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolationError);
    expect(error).toMatchObject({ code: "CONFLICT", fields: [field] });
  });
});

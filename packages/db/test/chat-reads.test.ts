import { backendName, createTestDatabase, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, users } from "../src";

/** The hand-written hot reads, checked against what Prisma reads from the same rows. */
let t: TestDatabase;
let owner: string;
let stranger: string;
beforeAll(async () => {
  t = await createTestDatabase();
  const user = (name: string) =>
    users.createUser(t.db, { username: name, email: `${name}@example.com`, passwordHash: "x" });
  owner = (await user("reads_owner")).id;
  stranger = (await user("reads_stranger")).id;
});
afterAll(() => t?.cleanup());

describe(`hot reads in SQL on ${backendName()}`, () => {
  it("lists conversations newest first with Prisma's columns and types, paged without gaps", async () => {
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 7; i++) {
      await t.db.prisma.conversation.create({
        data: {
          userId: owner,
          title: `c${i}`,
          pinned: i % 3 === 0,
          archived: i === 6,
          temperature: i === 1 ? 0.7 : null,
          systemPrompt: i === 2 ? "be brief" : null,
          model: i === 3 ? "m" : null,
          // Two share a timestamp: the id breaks the tie.
          updatedAt: new Date(base + Math.min(i, 5) * 1000),
        },
      });
    }
    await t.db.prisma.conversation.create({ data: { userId: stranger, title: "not yours" } });
    const expected = await t.db.prisma.conversation.findMany({
      where: { userId: owner, archived: false },
      orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
      select: chat.conversationSelect,
    });
    expect(expected).toHaveLength(6);

    const seen = [];
    let cursor: chat.ConversationCursor | undefined;
    for (;;) {
      const page = await chat.listConversationPage(t.db, owner, { limit: 4, cursor });
      seen.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(expected);
    expect(seen[0]!.updatedAt).toBeInstanceOf(Date);

    const pinned = await chat.listConversationPage(t.db, owner, { limit: 50, pinned: true });
    expect(pinned.items.map((c) => c.title)).toEqual(
      expected.filter((c) => c.pinned).map((c) => c.title),
    );
    const archived = await chat.listConversationPage(t.db, owner, { limit: 50, archived: true });
    expect(archived.items.map((c) => c.title)).toEqual(["c6"]);
    expect(archived.nextCursor).toBeNull();
  });

  it("pages the active branch with each message's siblings (roots included) and files, for the owner only", async () => {
    const conversation = await t.db.prisma.conversation.create({
      data: { userId: owner, title: "tree" },
    });
    let at = Date.UTC(2026, 0, 2);
    const add = async (depth: number, parentId: string | null, active: boolean) =>
      (
        await t.db.prisma.message.create({
          data: {
            conversationId: conversation.id,
            userId: owner,
            parentId,
            depth,
            active,
            role: depth % 2 ? "assistant" : "user",
            content: `d${depth}${active ? "" : "-alt"}`,
            createdAt: new Date((at += 1000)),
          },
          select: chat.messageSelect,
        })
      ).id;
    // Two roots (an edited first message), two replies to the active root, then a chain.
    const oldRoot = await add(0, null, false);
    const root = await add(0, null, true);
    const oldReply = await add(1, root, false);
    const reply = await add(1, root, true);
    const chain = [root, reply];
    for (let depth = 2; depth < 8; depth++) chain.push(await add(depth, chain.at(-1)!, true));

    // The user message at depth 6 carries two files, in the order they were attached.
    const carrier = chain[6]!;
    const attached: chat.PageAttachment[] = [];
    for (const [position, name] of ["b.png", "a.txt"].entries()) {
      const file = await t.db.prisma.file.create({
        data: {
          userId: owner,
          name,
          mimeType: name.endsWith(".png") ? "image/png" : "text/plain",
          kind: name.endsWith(".png") ? "image" : "text",
          size: 10 + position,
          width: name.endsWith(".png") ? 4 : null,
          height: name.endsWith(".png") ? 3 : null,
          storageKey: `u/${owner}/${name}`,
          wrappedKey: "w",
          keyId: "k",
        },
      });
      await t.db.prisma.messageAttachment.create({
        data: { userId: owner, messageId: carrier, fileId: file.id, position },
      });
      const { id, mimeType, kind, size, width, height } = file;
      attached.push({ id, name, mimeType, kind, size, width, height });
    }

    // The owner's rating of a reply comes with the page too.
    await t.db.prisma.messageFeedback.create({
      data: { userId: owner, messageId: reply, rating: "up" },
    });

    const all = await t.db.prisma.message.findMany({
      where: { conversationId: conversation.id, active: true },
      orderBy: { depth: "asc" },
      select: chat.messageSelect,
    });
    const siblings = (id: string) =>
      id === root ? [oldRoot, root] : id === reply ? [oldReply, reply] : [id];
    const expected = all.map((m) => ({
      ...m,
      siblingIds: siblings(m.id),
      attachments: m.id === carrier ? attached : [],
      rating: m.id === reply ? "up" : null,
    }));

    const newest = await chat.listActiveBranchPage(t.db, owner, conversation.id, { limit: 3 });
    expect(newest).toEqual({ items: expected.slice(5), hasMore: true });
    const older = await chat.listActiveBranchPage(t.db, owner, conversation.id, {
      limit: 3,
      beforeDepth: 5,
    });
    expect(older).toEqual({ items: expected.slice(2, 5), hasMore: true });
    const oldest = await chat.listActiveBranchPage(t.db, owner, conversation.id, {
      limit: 3,
      beforeDepth: 2,
    });
    expect(oldest).toEqual({ items: expected.slice(0, 2), hasMore: false });
    const newer = await chat.listActiveBranchPage(t.db, owner, conversation.id, {
      limit: 5,
      afterDepth: -1,
    });
    expect(newer).toEqual({ items: expected.slice(0, 5), hasMore: true });
    const tail = await chat.listActiveBranchPage(t.db, owner, conversation.id, {
      limit: 5,
      afterDepth: 4,
    });
    expect(tail).toEqual({ items: expected.slice(5), hasMore: false });

    expect(await chat.listActiveBranchPage(t.db, stranger, conversation.id, { limit: 50 })).toEqual(
      { items: [], hasMore: false },
    );
  });
});

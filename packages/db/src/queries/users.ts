import type { Database } from "../client";
import { rethrowUnique } from "../errors";

/** Columns safe to return to a client: never the password hash. */
export const publicUserSelect = {
  id: true,
  username: true,
  email: true,
  role: true,
  disabledAt: true,
  createdAt: true,
} as const;

export function createUser(
  db: Database,
  data: { username: string; email: string; passwordHash: string; role?: "user" | "admin" },
) {
  return rethrowUnique(db.prisma.user.create({ data, select: publicUserSelect }));
}

export function findUserById(db: Database, id: string) {
  return db.prisma.user.findUnique({ where: { id }, select: publicUserSelect });
}

export function deleteUser(db: Database, id: string) {
  return db.prisma.user.delete({ where: { id }, select: { id: true } });
}

export function findUserByEmail(db: Database, email: string) {
  return db.prisma.user.findUnique({ where: { email }, select: publicUserSelect });
}

/** Changes username and/or email; a clash is a UniqueViolationError naming the field. */
export function updateUser(db: Database, id: string, data: { username?: string; email?: string }) {
  return rethrowUnique(db.prisma.user.update({ where: { id }, data, select: publicUserSelect }));
}

export async function setPasswordHash(db: Database, id: string, passwordHash: string) {
  await db.prisma.user.update({ where: { id }, data: { passwordHash }, select: { id: true } });
}

export function setRole(db: Database, id: string, role: "user" | "admin") {
  return db.prisma.user.update({ where: { id }, data: { role }, select: publicUserSelect });
}

export function setDisabled(db: Database, id: string, disabled: boolean) {
  return db.prisma.user.update({
    where: { id },
    data: { disabledAt: disabled ? new Date() : null },
    select: publicUserSelect,
  });
}

export function countAdmins(db: Database) {
  return db.prisma.user.count({ where: { role: "admin", disabledAt: null } });
}

/**
 * One page of users, newest first, optionally filtered by a case-insensitive substring of
 * username or email. `cursor` is the id of the last user of the previous page.
 */
export async function listUsers(
  db: Database,
  args: { query?: string; cursor?: string; limit: number },
) {
  const query = args.query?.trim();
  const rows = await db.prisma.user.findMany({
    where: query
      ? {
          OR: [
            { username: { contains: query, mode: "insensitive" } },
            { email: { contains: query, mode: "insensitive" } },
          ],
        }
      : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    ...(args.cursor ? { cursor: { id: args.cursor }, skip: 1 } : {}),
    take: args.limit + 1,
    select: publicUserSelect,
  });
  const items = rows.slice(0, args.limit);
  return { items, nextCursor: rows.length > args.limit ? (items.at(-1)?.id ?? null) : null };
}

export function countUsers(db: Database) {
  return db.prisma.user.count();
}

/** Usernames of the given users (for labelling audit events); missing ones are absent. */
export async function usernamesByIds(db: Database, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.prisma.user.findMany({
    where: { id: { in: ids } },
    select: { id: true, username: true },
  });
  return new Map(rows.map((r) => [r.id, r.username]));
}

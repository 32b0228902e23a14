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

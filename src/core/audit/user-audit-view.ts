import type { Db } from '../../storage/db/database.js';
import type { User } from '../accounts/users.js';
import { isAdmin, type Principal } from '../tokens/principal.js';

/**
 * The user whose own audit events (account, sign-in, personal tokens, namespace settings) `reader`
 * may read: themself, or any user for an administrator, a deleted one too (the account row stays
 * for that). Undefined otherwise, so that the caller answers 404 and existence does not leak.
 */
export async function userWhoseEventsMayBeRead(db: Db, reader: Extract<Principal, { kind: 'user' }>, id: number): Promise<User | undefined> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!user) return undefined;
  return isAdmin(reader) || (user.id === reader.user.id && user.state !== 'deleted') ? user : undefined;
}

import type { Db } from '../../storage/db/database.js';
import { containsIgnoringCase } from '../../storage/db/like.js';
import type { User } from './users.js';

// GitLab's user list: the accounts that exist (deleted users' rows stay for the audit log, unlisted), by id.

export interface UserListFilter {
  /** Exactly this username. */
  username?: string;
  /** Username or name contains it (ignoring case); the email too when `searchEmails`. */
  search?: string;
  /** Administrators alone may find users by their email, which only they see. */
  searchEmails: boolean;
  active?: boolean;
  blocked?: boolean;
  admins?: boolean;
}

export async function listUsers(db: Db, filter: UserListFilter): Promise<User[]> {
  let query = db.selectFrom('users').selectAll().where('state', '<>', 'deleted').orderBy('id');
  if (filter.username) query = query.where('username', '=', filter.username);
  const search = filter.search;
  if (search) {
    query = query.where((eb) =>
      eb.or([
        containsIgnoringCase('username', search),
        containsIgnoringCase('name', search),
        ...(filter.searchEmails ? [containsIgnoringCase('email', search)] : []),
      ]),
    );
  }
  if (filter.active) query = query.where('state', '=', 'active');
  if (filter.blocked) query = query.where('state', '=', 'blocked');
  if (filter.admins) query = query.where('is_admin', '=', 1);
  return query.execute();
}

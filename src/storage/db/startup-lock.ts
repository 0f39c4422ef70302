import { sql } from 'kysely';
import type { Db } from './database.js';
import { isPostgres } from './dialect-types.js';

// Several Trove processes may start at the same moment on one empty PostgreSQL database.
// First-start work that checks and then creates (the root bootstrap) must run one process at
// a time: a session advisory lock, held on a connection of its own while `fn` uses the pool,
// and released by PostgreSQL if the holder dies. SQLite has one process per file: no lock.
const STARTUP_LOCK = 0x7472_6f77; // "trow", next to the audit append lock "trov"

export async function withStartupLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return fn();
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${STARTUP_LOCK})`.execute(connection);
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(${STARTUP_LOCK})`.execute(connection);
    }
  });
}

import { sql } from 'kysely';
import type { Tx } from './database.js';
import { isPostgres } from './dialect-types.js';

// Audit events get a contiguous seq (max + 1) inside the writer's transaction. That is only
// safe if appends are serialised until commit:
// - SQLite: one connection per process, and Kysely runs one transaction at a time on it;
// - PostgreSQL: several connections and processes, so a transaction-scoped advisory lock
//   makes every append wait for the previous appender to commit or roll back.
const AUDIT_APPEND_LOCK = 0x7472_6f76; // "trov"

export async function lockAuditAppend(tx: Tx): Promise<void> {
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`.execute(tx);
}

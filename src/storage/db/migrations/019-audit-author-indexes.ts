import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect-types.js';

/**
 * The audit listing's `author` filter (src/core/audit/audit-query.ts) finds an actor by username or
 * by token name ("release-bot" finds its deploy token's events). Two indexes, each with the id
 * last, so that a page of one author's events, newest first, is a walk down one index whatever the
 * size of the log:
 * - author_username, which no other index leads with (its filter would walk the whole log for a rare name);
 * - the token name, read from the event's own record rather than from the token tables: the record
 *   is immutable, so the name matches what the event says even after the token (or its group) is
 *   gone, and no column needs adding, backfilling or guarding against updates (the append-only
 *   triggers stay as they are). The query repeats the indexed expression exactly (tokenNameOf).
 * On SQLite both are partial on `indexed = 1`, as migration 012's filter indexes: the indexer's
 * batches bring them up to date after the commit, and listings read the short unindexed tail by id.
 * PostgreSQL writes them at insert, as its other indexes.
 */
/**
 * PostgreSQL's jsonb refuses some texts that JSON allows and JSON.stringify writes (\u0000, a lone
 * surrogate), anywhere in a record: a plain `record::jsonb` in the index would then refuse the
 * event's INSERT, and with it the change it describes (a refused publish whose name holds a NUL byte
 * would go unaudited). So the name is read from the whole record when jsonb takes it, else from the
 * actor object alone (flat, as Trove writes it), else it is NULL; never an error. The blocks only
 * read, so they take no subtransaction id.
 */
const TOKEN_NAME_FUNCTION = `CREATE FUNCTION trove_audit_token_name(record text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  BEGIN
    RETURN (record::jsonb -> 'actor') ->> 'token_name';
  EXCEPTION WHEN others THEN
    NULL;
  END;
  BEGIN
    RETURN (substring(record from '"actor":(\\{(?:[^{}"]|"(?:[^"\\\\]|\\\\.)*")*\\})')::jsonb) ->> 'token_name';
  EXCEPTION WHEN others THEN
    RETURN NULL;
  END;
END
$fn$`;

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`CREATE INDEX audit_events_author_username ON audit_events (author_username, id)`.execute(db);
    await sql.raw(TOKEN_NAME_FUNCTION).execute(db);
    await sql`CREATE INDEX audit_events_token_name ON audit_events (trove_audit_token_name(record), id)`.execute(db);
    return;
  }
  await sql`CREATE INDEX audit_events_author_username ON audit_events (author_username, id) WHERE indexed = 1`.execute(db);
  await sql`CREATE INDEX audit_events_token_name ON audit_events (json_extract(record, '$.actor.token_name'), id) WHERE indexed = 1`.execute(db);
}

import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect-types.js';
import { AUDIT_APPEND_LOCK, PENDING_SEQ_MARKER_PREFIX } from '../audit-append.js';

/**
 * PostgreSQL: a package write's audit event gets its seq when its transaction commits, not when it
 * is written (docs/architecture.md#sequencing-on-postgresql).
 *
 * The seq must stay contiguous and in commit order (the Merkle tree is built over it), so it is
 * given out under the append lock, held until commit. Taken by the writer while it still had its
 * own statements, its commit and its process's other requests ahead, that lock serialised every
 * publish of every process: it is now taken by a deferred trigger, inside the COMMIT itself, and
 * held only for the trigger and the commit's WAL flush.
 *
 * The writer inserts the event into audit_events_pending, its record's canonical JSON carrying the
 * JSON string "pending-seq-<uuid>" where the id and seq go. At commit the trigger, for each pending
 * row in the order they were written: takes the lock, takes the next seq (as lastUsedAuditSeq),
 * puts it in the record, hashes the leaf exactly as leafHashOfText does, appends the event to
 * audit_events (still append-only), writes its streaming outbox rows (for the destinations that are
 * still there), and deletes the pending row.
 * Nothing but an event's own transaction ever sees it pending; a rollback takes it away.
 *
 * SQLite needs none of this: one connection per process serialises its transactions anyway.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`
    CREATE TABLE audit_events_pending (
      pending_id bigserial PRIMARY KEY,
      uuid varchar(36) NOT NULL,
      event_name varchar(128) NOT NULL,
      outcome varchar(16) NOT NULL,
      author_id integer NOT NULL,
      author_username varchar(255),
      actor_type varchar(32) NOT NULL,
      token_id integer,
      entity_type varchar(16) NOT NULL,
      entity_id integer NOT NULL,
      entity_path varchar(1024),
      project_id integer,
      package_format varchar(16),
      package_name varchar(255),
      via varchar(16) NOT NULL,
      created_at varchar(32) NOT NULL,
      record text NOT NULL,
      stream_destinations text
    )`.execute(db);
  // A plain string in the function's body: the lock's key and the marker are the ones audit-append.ts uses.
  await sql
    .raw(
      `CREATE FUNCTION trove_audit_sequence_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         next bigint;
         stored text;
       BEGIN
         PERFORM pg_advisory_xact_lock(${AUDIT_APPEND_LOCK});
         SELECT greatest(coalesce((SELECT max(id) FROM audit_events), 0), coalesce((SELECT max(tree_size) FROM audit_checkpoints), 0)) + 1 INTO next;
         stored := replace(NEW.record, '"${PENDING_SEQ_MARKER_PREFIX}' || NEW.uuid || '"', next::text);
         INSERT INTO audit_events (id, uuid, seq, event_name, outcome, author_id, author_username, actor_type, token_id,
             entity_type, entity_id, entity_path, project_id, package_format, package_name, via, created_at, record, leaf_hash, indexed)
           VALUES (next, NEW.uuid, next, NEW.event_name, NEW.outcome, NEW.author_id, NEW.author_username, NEW.actor_type, NEW.token_id,
             NEW.entity_type, NEW.entity_id, NEW.entity_path, NEW.project_id, NEW.package_format, NEW.package_name, NEW.via, NEW.created_at,
             stored, encode(sha256('\\x00'::bytea || convert_to(stored, 'UTF8')), 'hex'), 1);
         IF NEW.stream_destinations IS NOT NULL THEN
           -- Only to destinations still there: the same transaction may have deleted one after writing the event.
           INSERT INTO audit_stream_outbox (destination_id, seq, attempts, next_attempt_at, last_error)
             SELECT d.id, next, 0, NEW.created_at, NULL FROM audit_stream_destinations d
             WHERE d.id = ANY (string_to_array(NEW.stream_destinations, ',')::integer[]);
         END IF;
         DELETE FROM audit_events_pending WHERE pending_id = NEW.pending_id;
         RETURN NULL;
       END $$`,
    )
    .execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER audit_events_pending_sequence AFTER INSERT ON audit_events_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION trove_audit_sequence_at_commit()`.execute(db);
}

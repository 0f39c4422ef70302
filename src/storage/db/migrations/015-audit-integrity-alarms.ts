import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType } from '../dialect-types.js';

/**
 * The audit log's self-check alarms (docs/architecture.md#tamper-evidence, src/core/audit/integrity/): raised when the log
 * no longer extends its last signed checkpoint, open until an administrator acknowledges them.
 * While one is open, package writes are refused. An acknowledgement names the checkpoint the
 * administrator accepted as the new starting point of the self-check (`anchor_tree_size`):
 * the events before it can no longer all be proven, the ones after it must extend it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_integrity_alarms')
    .addColumn('id', autoIdType(db), autoIdColumn(db))
    .addColumn('raised_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('checkpoint_tree_size', 'bigint', (c) => c.notNull())
    .addColumn('event_seq', 'bigint')
    .addColumn('acknowledged_at', 'varchar(32)')
    .addColumn('acknowledged_by', 'integer')
    .addColumn('anchor_tree_size', 'bigint')
    .execute();
}

import type { ExpressionBuilder } from 'kysely';
import type { Db, Tx } from '../../storage/db/database.js';
import type { Database } from '../../storage/db/schema.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import type { BackgroundJob } from '../jobs/job-scheduler.js';
import type { AuditLog } from './audit-log.js';
import type { AuditContext, AuditEventInput } from './audit-types.js';

// authentication_failed without a flood (docs/architecture.md#what-is-recorded): failures with the same credential prefix, IP
// address and reason within a minute are one window. Its first failure is recorded at once; the
// repeats are only counted (a row per window, so that several processes count together) and
// recorded later as one event with `count`: when the window has ended (the next failure with that
// key, or the background flush), and at a graceful shutdown. 500 guesses write two events.

export const WINDOW_MS = 60_000;

export interface AuthenticationFailure {
  ctx: AuditContext;
  input: AuditEventInput & { credentialPrefix: string; reason: string };
}

type Key = { credential_prefix: string; ip_address: string; reason: string };

/** `where` filter: the window of this key. */
const sameKey = (key: Key) => (eb: ExpressionBuilder<Database, 'authentication_failure_windows'>) =>
  eb.and({ credential_prefix: key.credential_prefix, ip_address: key.ip_address, reason: key.reason });

function keyOf(failure: AuthenticationFailure): Key {
  return { credential_prefix: failure.input.credentialPrefix, ip_address: failure.ctx.ipAddress ?? '', reason: failure.input.reason.slice(0, 255) };
}

export class AuthenticationFailures {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly windowMs = WINDOW_MS,
  ) {}

  async record(failure: AuthenticationFailure): Promise<void> {
    const key = keyOf(failure);
    const now = new Date();
    const cutoff = new Date(now.getTime() - this.windowMs).toISOString();
    // The common case of a flood, in one statement: a repeat within the open window is counted.
    const counted = await this.db
      .updateTable('authentication_failure_windows')
      .set((eb) => ({ repeats: eb('repeats', '+', 1) }))
      .where(sameKey(key))
      .where('started_at', '>', cutoff)
      .executeTakeFirst();
    if (Number(counted.numUpdatedRows) > 0) return;
    const window = { ...key, started_at: now.toISOString(), repeats: 0, first_failure: JSON.stringify(failure) };
    await this.db.transaction().execute(async (tx) => {
      // The first failure with this key opens its window (a concurrent one waits for this insert, then counts).
      const opened = await tx.insertInto('authentication_failure_windows').values(window).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      if (Number(opened.numInsertedOrUpdatedRows ?? 0) > 0) return this.audit.record(tx, failure.ctx, { ...failure.input, count: 1 });
      const current = await this.locked(tx, key).executeTakeFirst();
      if (current && current.started_at > cutoff) return this.count(tx, key); // opened by another request meanwhile
      // The window has ended: its repeats are recorded, and this failure opens the next one.
      if (current && current.repeats > 0) await this.recordRepeats(tx, current);
      await this.audit.record(tx, failure.ctx, { ...failure.input, count: 1 });
      const next = { started_at: window.started_at, repeats: 0, first_failure: window.first_failure };
      // (No row here when the background flush removed the ended window in between: it is made again.)
      await tx.insertInto('authentication_failure_windows').values(window).onConflict((oc) => oc.columns(['credential_prefix', 'ip_address', 'reason']).doUpdateSet(next)).execute();
    });
  }

  /**
   * Records the repeats counted so far as events: of the windows that have ended (and forgets
   * those), or of every window (`all`, at shutdown: nothing counted is lost).
   */
  async flush(all = false): Promise<number> {
    const cutoff = new Date(Date.now() - this.windowMs).toISOString();
    return this.db.transaction().execute(async (tx) => {
      const due = tx
        .selectFrom('authentication_failure_windows')
        .selectAll()
        .where((eb) => (all ? eb.or([eb('repeats', '>', 0), eb('started_at', '<=', cutoff)]) : eb('started_at', '<=', cutoff)));
      const rows = await (isPostgres(this.db) ? due.forUpdate() : due).execute();
      let events = 0;
      for (const row of rows) {
        if (row.repeats > 0) {
          await this.recordRepeats(tx, row);
          events++;
        }
        // An open window keeps counting from zero; an ended one is forgotten.
        if (row.started_at <= cutoff) await tx.deleteFrom('authentication_failure_windows').where(sameKey(row)).execute();
        else await tx.updateTable('authentication_failure_windows').set((eb) => ({ repeats: eb('repeats', '-', row.repeats) })).where(sameKey(row)).execute();
      }
      return events;
    });
  }

  /** The leader flushes ended windows every few seconds. */
  job(intervalMs: number): BackgroundJob {
    return {
      name: 'flush-authentication-failures',
      intervalMs,
      exactlyOnce: false,
      run: async () => {
        await this.flush();
      },
    };
  }

  private locked(tx: Tx, key: Key) {
    const query = tx.selectFrom('authentication_failure_windows').selectAll().where(sameKey(key));
    return isPostgres(this.db) ? query.forUpdate() : query;
  }

  private async count(tx: Tx, key: Key): Promise<void> {
    await tx.updateTable('authentication_failure_windows').set((eb) => ({ repeats: eb('repeats', '+', 1) })).where(sameKey(key)).execute();
  }

  private async recordRepeats(tx: Tx, row: { repeats: number; started_at: string; first_failure: string }): Promise<void> {
    const first = JSON.parse(row.first_failure) as AuthenticationFailure;
    await this.audit.record(tx, { ...first.ctx, requestId: null }, {
      ...first.input,
      count: row.repeats,
      customMessage: `${first.input.customMessage} (repeated ${row.repeats} more times in the minute from ${row.started_at})`,
    });
  }
}

import type { Db } from '../../storage/db/database.js';

/**
 * Leader election for background work shared by several Trove processes on one database:
 * a lease row that the holder renews; if the holder dies (kill -9), the lease expires and
 * another process takes it. Plain SQL on a table, so it works the same on SQLite and
 * PostgreSQL, and holders on different hosts need only roughly synchronised clocks.
 */
export class LeaderLease {
  constructor(
    private readonly db: Db,
    readonly name: string,
    readonly holder: string,
    readonly ttlMs: number,
  ) {}

  /** Takes the lease if it is free or expired, or renews it if we hold it. True when we hold it now. */
  async acquireOrRenew(now = Date.now()): Promise<boolean> {
    const expiresAt = new Date(now + this.ttlMs).toISOString();
    const nowIso = new Date(now).toISOString();
    await this.db
      .insertInto('job_leases')
      .values({ name: this.name, holder: this.holder, expires_at: expiresAt })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({ holder: this.holder, expires_at: expiresAt }).where((eb) =>
          eb.or([eb('job_leases.holder', '=', this.holder), eb('job_leases.expires_at', '<', nowIso)]),
        ),
      )
      .execute();
    const row = await this.db.selectFrom('job_leases').select('holder').where('name', '=', this.name).executeTakeFirst();
    return row?.holder === this.holder;
  }

  /** Gives the lease up at once on a graceful stop, so another process need not wait for it to expire. */
  async release(): Promise<void> {
    await this.db.deleteFrom('job_leases').where('name', '=', this.name).where('holder', '=', this.holder).execute();
  }
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFaultInjector, type FaultInjector } from '../support/fault-injection.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// docs/architecture.md#tamper-evidence: the database itself refuses to change or remove audit events, whoever asks
// (here: a direct connection to the database, not Trove). Runs on SQLite and PostgreSQL.

describe('the audit log is append-only in the database', () => {
  let trove: RunningTrove;
  let db: FaultInjector;

  before(async () => {
    trove = await startTrove();
    const world = new World(trove);
    const group = await world.group('acme');
    const project = await world.project('app', group.id);
    const tarball = await packageTarball('kept', '1.0.0');
    await world.root.expect(200, 'PUT', `/api/v4/projects/${project.id}/packages/npm/kept`, publishBody('kept', '1.0.0', tarball));
    db = await openFaultInjector(trove);
  });

  after(async () => {
    await db?.close();
    await trove?.stop();
  });

  const refusals: Array<[string, string]> = [
    ['changing an event\'s record', `UPDATE audit_events SET record = '{}' WHERE seq = 1`],
    ['changing who did it', `UPDATE audit_events SET author_id = 999 WHERE seq = 2`],
    ['renumbering seq', `UPDATE audit_events SET seq = seq + 1000 WHERE seq = 1`],
    ['taking an event out of the filter indexes (migration 012)', `UPDATE audit_events SET indexed = 0 WHERE seq = 1`],
    ['deleting one event', `DELETE FROM audit_events WHERE seq = 2`],
    ['deleting every event', `DELETE FROM audit_events`],
  ];

  for (const [what, statement] of refusals) {
    it(`refuses ${what}`, async () => {
      const before = await db.auditRecords({});
      await assert.rejects(db.execute(statement), /append-only/);
      assert.deepEqual(await db.auditRecords({}), before);
    });
  }

  it('refuses TRUNCATE on PostgreSQL', async (t) => {
    if (db.backend !== 'postgres') return t.skip('SQLite has no TRUNCATE');
    const count = await db.countRows('audit_events');
    await assert.rejects(db.execute('TRUNCATE audit_events'), /append-only/);
    assert.equal(await db.countRows('audit_events'), count);
  });

  it('still accepts new events through Trove', async () => {
    const count = await db.countRows('audit_events');
    const res = await fetch(`${trove.baseUrl}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': 'glpat-not-a-real-token-0000' } });
    assert.equal(res.status, 401);
    assert.equal(await db.countRows('audit_events'), count + 1, 'authentication_failed was appended');
  });
});

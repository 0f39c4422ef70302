import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, privateToken } from '../support/api.js';
import { publishOk } from '../support/audit-e2e.js';
import { copyTroveData, tamperedCopyOf, waitUntilSealed, type TroveData } from '../support/audit-verify-data.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// The integrity statement of an audit report on copies of one sealed log, started as separate
// Troves: with the signing key pinned it says so and verifies; an event whose record was edited
// in the database (its stored leaf hash left alone, so the self-check at start sees nothing)
// makes it fail at that seq; events after the latest checkpoint are reported as not sealed yet;
// a sealed log above TROVE_AUDIT_PROOF_MAX_EVENTS is not checked, and the report says why.

const SEAL_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '3', TROVE_AUDIT_SEAL_EVERY_MS: '300' };
// No new checkpoint while a test runs.
const NO_SEAL_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '10000000', TROVE_AUDIT_SEAL_EVERY_MS: '86400000' };

describe('audit report integrity', () => {
  let data: TroveData;
  let rootToken: string;
  let groupId: number;
  let projectId: number;
  let from: string;
  let to: string;
  let running: RunningTrove | undefined;
  const keyFile = join(tempDir('trove-report-keys-'), 'key.pub');

  const startOn = async (target: TroveData, env: Record<string, string>) => {
    running = await startTrove({ env: { ...env, TROVE_ROOT_TOKEN: rootToken, ...(target.databaseUrl ? { TROVE_DATABASE_URL: target.databaseUrl } : {}) }, dataDir: target.dataDir });
    return new Api(running.baseUrl, privateToken(rootToken));
  };
  const reportOf = (root: Api, format = '') => root.get(`/api/v4/groups/${groupId}/audit_reports?from=${from}&to=${to}${format}`);

  before(async () => {
    const trove = await startTrove({ env: SEAL_ENV, dataDir: join(tempDir(), 'data') });
    rootToken = trove.rootToken;
    data = { dataDir: trove.dataDir, databaseUrl: trove.databaseUrl };
    const world = new World(trove);
    from = new Date().toISOString();
    groupId = (await world.group('acme')).id;
    projectId = (await world.project('web', groupId)).id;
    for (let v = 0; v < 4; v++) await publishOk(world.root, projectId, 'kit', `1.0.${v}`);
    to = new Date(Date.now() + 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await waitUntilSealed(world.root);
    writeFileSync(keyFile, (await world.root.get('/api/v4/audit_events/checkpoint/public_key')).text);
    await trove.stop();
  });

  after(async () => {
    if (running && running.process.exitCode === null) await running.stop();
  });

  const stop = async () => {
    await running?.stop();
    running = undefined;
  };

  it('verifies every event against a checkpoint signed by the pinned key, and says the key is pinned', async () => {
    const root = await startOn(await copyTroveData(data), { ...NO_SEAL_ENV, TROVE_AUDIT_TRUSTED_KEYS: keyFile });
    const { integrity, summary } = (await reportOf(root)).body;
    assert.equal(integrity.status, 'verified', integrity.statement);
    assert.equal(integrity.trusted_keys, 'pinned');
    assert.equal(integrity.verified_events, summary.events);
    assert.match(integrity.statement, /a key pinned by the operator/);
    await stop();
  });

  it('fails at the seq of an event whose record was edited in the database', async () => {
    let edited = 0;
    const copy = await tamperedCopyOf(data, async (db) => {
      const [first] = await db.rows<{ id: number }>("SELECT id FROM audit_events WHERE event_name = 'package_registry_package_published' ORDER BY id LIMIT 1 OFFSET 1");
      edited = Number(first.id);
      await db.run(`UPDATE audit_events SET record = replace(record, '"custom_message":"', '"custom_message":"(edited) ') WHERE id = ?`, [edited]);
    });
    const root = await startOn(copy, NO_SEAL_ENV);
    const res = await reportOf(root);
    assert.equal(res.status, 200, res.text);
    const { integrity } = res.body;
    assert.equal(integrity.status, 'failed');
    assert.match(integrity.reason, new RegExp(`^seq ${edited}: leaf hash mismatch`));
    assert.equal(integrity.verified_events, 0);
    // The figures are still all there: the report counts every event, the check stops at the first bad one.
    assert.equal(res.body.summary.by_event_type.find((t: any) => t.event_name === 'package_registry_package_published').count, 4);
    const html = await reportOf(root, '&format=html');
    assert.match(html.text, /class="status-failed">Verification FAILED: seq \d+: leaf hash mismatch/);
    await stop();
  });

  it('reports the events after the latest checkpoint as not sealed yet, and a log too large to prove in memory as not checked', async () => {
    let root = await startOn(await copyTroveData(data), NO_SEAL_ENV);
    await publishOk(root, projectId, 'kit', '2.0.0');
    const later = new Date(Date.now() + 1000).toISOString();
    const partly = (await root.expect(200, 'GET', `/api/v4/groups/${groupId}/audit_reports?from=${from}&to=${later}`)).integrity;
    assert.equal(partly.status, 'partly_sealed', partly.statement);
    assert.ok(partly.unsealed_events >= 2, `published and its tag: ${partly.unsealed_events}`);
    assert.match(partly.statement, /not sealed yet/);
    await stop();

    root = await startOn(await copyTroveData(data), { ...NO_SEAL_ENV, TROVE_AUDIT_PROOF_MAX_EVENTS: '5' });
    const unchecked = (await reportOf(root)).body.integrity;
    assert.equal(unchecked.status, 'not_checked');
    assert.match(unchecked.statement, /TROVE_AUDIT_PROOF_MAX_EVENTS \(5\)/);
    await stop();
  });
});

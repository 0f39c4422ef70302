import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNoteSigner, formatVerifierKey, signNote } from '../../src/core/audit/seal/signed-note.js';
import { Api, privateToken } from '../support/api.js';
import { allEvents, publishOk, publishRaw, sleep } from '../support/audit-e2e.js';
import { copyTroveData, expectBad, openTamperDb, runTroveCli, tamperedCopyOf, waitUntilSealed, type TamperDb, type TroveData } from '../support/audit-verify-data.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// docs/architecture.md#tamper-evidence self-check: sealed events deleted from the tail while a later checkpoint stays. At
// start, and before each checkpoint is signed, Trove proves that the log extends the last signed
// checkpoint; when it does not, it records audit_integrity_alarm, refuses package writes (503 in
// the client's convention), reports the alarm at /-/health until an administrator acknowledges
// it, and never gives out again a seq the checkpoint covered.

const SEAL_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '4', TROVE_AUDIT_SEAL_EVERY_MS: '1000' };

describe('audit integrity self-check', () => {
  let trove: RunningTrove | undefined;
  let data: TroveData;
  let rootToken: string;
  let projectId: number;
  let developer: TestUser;
  let publisher: Api;
  let sealed = 0;
  const keyFile = join(tempDir('trove-alarm-keys-'), 'key.pub');

  const tamperedCopy = (tamper: (db: TamperDb) => Promise<void>, options: { checkpoints?: boolean } = {}) => tamperedCopyOf(data, tamper, options);

  const startOn = (target: TroveData, env: Record<string, string> = {}) =>
    startTrove({ env: { ...SEAL_ENV, ...env, TROVE_ROOT_TOKEN: rootToken, ...(target.databaseUrl ? { TROVE_DATABASE_URL: target.databaseUrl } : {}) }, dataDir: target.dataDir });

  const health = async (running: RunningTrove) => (await fetch(`${running.baseUrl}/-/health`)).json() as Promise<any>;

  before(async () => {
    trove = await startTrove({ env: SEAL_ENV, dataDir: join(tempDir(), 'data') });
    rootToken = trove.rootToken;
    data = { dataDir: trove.dataDir, databaseUrl: trove.databaseUrl };
    const world = new World(trove);
    const group = await world.group('acme');
    projectId = (await world.project('web', group.id)).id;
    developer = await world.user('dev');
    await world.addMember('projects', projectId, developer, 30);
    publisher = developer.api;
    for (let v = 0; v < 6; v++) await publishOk(publisher, projectId, 'kit', `1.0.${v}`);
    sealed = await waitUntilSealed(world.root);
    const key = await world.root.get('/api/v4/audit_events/checkpoint/public_key');
    writeFileSync(keyFile, key.text);
    await trove.stop();
    trove = undefined;
  });

  after(async () => {
    if (trove && trove.process.exitCode === null) await trove.stop();
  });

  it('at start: alarm, writes refused with 503, no seq reused; an administrator acknowledges, writes resume', async () => {
    const keep = sealed - 3;
    const copy = await tamperedCopy((db) => db.run('DELETE FROM audit_events WHERE seq > ?', [keep]));
    trove = await startOn(copy);
    const root = new Api(trove.baseUrl, privateToken(rootToken));
    const dev = new Api(trove.baseUrl, publisher.auth);

    const degraded = await health(trove);
    assert.equal(degraded.status, 'degraded');
    assert.equal(degraded.audit_integrity_alarm.checkpoint_tree_size, sealed);
    assert.match(degraded.audit_integrity_alarm.reason, new RegExp(`seq ${keep + 1} is missing`));

    const refused = await publishRaw(dev, projectId, 'kit', '2.0.0');
    assert.equal(refused.status, 503, refused.text);
    assert.match(refused.body.error, /audit log failed its integrity self-check/);
    const generic = await dev.request('PUT', `/api/v4/projects/${projectId}/packages/generic/tool/1.0.0/tool.bin`, Buffer.from('bytes'));
    assert.equal(generic.status, 503, generic.text);
    assert.match(generic.body.message, /integrity self-check/);

    // The alarm is an event of its own, after the checkpoint (seqs keep..sealed are never given out again), in the listings.
    const events = await allEvents(root, '/api/v4/audit_events');
    const alarm = events.find((e) => e.event_name === 'audit_integrity_alarm');
    assert.ok(alarm, 'audit_integrity_alarm listed');
    assert.equal(alarm.seq, sealed + 1);
    assert.equal(alarm.outcome, 'failure');
    assert.equal(alarm.actor.type, 'system');
    assert.equal(alarm.entity_type, 'Instance');
    assert.ok(events.every((e) => e.seq <= keep || e.seq > sealed), 'no event in the deleted, sealed range');

    // Only an administrator acknowledges.
    assert.equal((await dev.request('POST', '/api/v4/audit_events/integrity_alarm/acknowledge')).status, 403);
    const ack = await root.request('POST', '/api/v4/audit_events/integrity_alarm/acknowledge');
    assert.equal(ack.status, 200, ack.text);
    assert.equal(ack.body.acknowledged[0].checkpoint_tree_size, sealed);
    assert.equal((await root.request('POST', '/api/v4/audit_events/integrity_alarm/acknowledge')).status, 404);
    assert.equal((await health(trove)).status, 'ok');

    await publishOk(dev, projectId, 'kit', '2.0.0');
    const after = await allEvents(root, '/api/v4/audit_events');
    const acknowledged = after.find((e) => e.event_name === 'audit_integrity_alarm_acknowledged');
    assert.ok(acknowledged);
    assert.equal(acknowledged.actor.username, 'root');
    const published = after.find((e) => e.event_name === 'package_registry_package_published' && e.package.version === '2.0.0');
    assert.ok(published && published.seq > acknowledged.seq, 'the publish is listed after the acknowledgement');
    // Sealing goes on, extending the acknowledged checkpoint.
    const newSize = await waitUntilSealed(root);
    assert.ok(newSize > sealed + 2);
    await trove.stop();
    trove = undefined;

    // A restart finds nothing new to alarm about; verify still names the deleted events.
    trove = await startOn(copy);
    assert.equal((await health(trove)).status, 'ok');
    await trove.stop();
    trove = undefined;
    expectBad(await runTroveCli(['audit', 'verify', '--trusted-key', keyFile], copy), keep + 1, new RegExp(`seq ${keep + 1}\\.\\.${sealed} missing`));
  });

  it('before signing: a tail deleted while Trove runs raises the alarm instead of a checkpoint', async () => {
    const copy = await copyTroveData(data);
    trove = await startOn(copy);
    const root = new Api(trove.baseUrl, privateToken(rootToken));
    const dev = new Api(trove.baseUrl, publisher.auth);
    assert.equal((await health(trove)).status, 'ok');
    const db = await openTamperDb(copy);
    try {
      await db.dropAppendOnlyTriggers();
      await db.run('DELETE FROM audit_events WHERE seq > ?', [sealed - 2]);
    } finally {
      await db.close();
    }
    for (let v = 0; v < 5; v++) await publishOk(dev, projectId, 'late', `1.0.${v}`);
    const deadline = Date.now() + 60_000;
    let state = await health(trove);
    while (state.status === 'ok' && Date.now() < deadline) {
      await sleep(200);
      state = await health(trove);
    }
    assert.equal(state.status, 'degraded');
    assert.match(state.audit_integrity_alarm.reason, /2 of the events .* are missing/);
    const checkpoint = await root.get('/api/v4/audit_events/checkpoint');
    assert.equal(checkpoint.body.tree_size, sealed, 'nothing signed over the damaged log');
    assert.equal((await publishRaw(dev, projectId, 'late', '9.0.0')).status, 503);
    const seqs = (await allEvents(root, '/api/v4/audit_events')).map((e) => e.seq as number);
    assert.ok(seqs.every((seq) => seq <= sealed - 2 || seq > sealed), `seqs: ${seqs}`);
    await trove.stop();
    trove = undefined;
  });

  it('with TROVE_AUDIT_TRUSTED_KEYS: a checkpoint re-signed by a key the operator did not pin raises the alarm', async () => {
    const pinned = { TROVE_AUDIT_TRUSTED_KEYS: keyFile };
    const clean = await copyTroveData(data);
    trove = await startOn(clean, pinned);
    assert.equal((await health(trove)).status, 'ok');
    await trove.stop();
    trove = undefined;

    const mallory = createNoteSigner('mallory', generateKeyPairSync('ed25519').privateKey);
    const copy = await tamperedCopy(async (db) => {
      const [row] = await db.rows<{ note: string }>('SELECT note FROM audit_checkpoints WHERE tree_size = ?', [sealed]);
      const note = signNote(row.note.slice(0, row.note.lastIndexOf('\n\n') + 1), [mallory]);
        await db.run('UPDATE audit_checkpoints SET note = ? WHERE tree_size = ?', [note, sealed]);
    }, { checkpoints: true });
    writeFileSync(join(copy.dataDir, 'audit-keys', 'mallory.vkey'), `${formatVerifierKey('mallory', mallory.publicKey)}\n`);
    trove = await startOn(copy, pinned);
    const state = await health(trove);
    assert.equal(state.status, 'degraded');
    assert.match(state.audit_integrity_alarm.reason, /not signed by a key pinned in TROVE_AUDIT_TRUSTED_KEYS: no signature from a trusted key \(signed by mallory\+/);
    await trove.stop();
    trove = undefined;
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, privateToken } from '../support/api.js';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { tamperedCopyOf, waitUntilSealed } from '../support/audit-verify-data.js';
import { createDestination, destinationsPath } from '../support/streaming.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { WebhookReceiver, waitFor } from '../support/webhook-receiver.js';
import { World, type TestUser } from '../support/world.js';

// The log integrity panel's API (docs/api.md#audit-log-integrity): the latest checkpoint and its key,
// the last verification (Trove's self-check, an administrator's run recorded as audit_log_verified),
// the checkpoint mirror folder, the streaming destinations' backlogs, the open integrity alarms;
// a group owner sees the group's own destinations and no mirror.

const ENV = {
  TROVE_AUDIT_SEAL_EVERY_EVENTS: '4',
  TROVE_AUDIT_SEAL_EVERY_MS: '1000',
  TROVE_STREAMING_ALLOW_PRIVATE: '1',
  TROVE_STREAMING_POLL_MS: '100',
};

describe('audit log integrity panel API', () => {
  let trove: RunningTrove;
  let world: World;
  let olga: TestUser;
  let dev: TestUser;
  let group: { id: number };
  let receiver: WebhookReceiver;
  const mirrorDir = join(tempDir(), 'mirror');

  before(async () => {
    receiver = await WebhookReceiver.start();
    receiver.answer = () => ({ status: 503 }); // the SIEM is down: the group's destination builds a backlog
    trove = await startTrove({ dataDir: join(tempDir(), 'data'), env: { ...ENV, TROVE_AUDIT_CHECKPOINT_MIRROR_DIR: mirrorDir } });
    world = new World(trove);
    [olga, dev] = [await world.user('olga'), await world.user('dev')];
    group = await world.group('acme');
    const project = await world.project('app', group.id);
    await world.addMember('groups', group.id, olga, 50);
    await world.addMember('groups', group.id, dev, 30);
    await createDestination(olga.api, group.id, { name: 'siem', url: receiver.url });
    await createDestination(world.root, undefined, { name: 'instance-siem', url: receiver.url, active: false });
    for (let v = 0; v < 3; v++) await publishOk(dev.api, project.id, 'kit', `1.0.${v}`);
    await waitUntilSealed(world.root);
  });

  after(async () => {
    await trove?.stop();
    await receiver?.close();
  });

  it("shows administrators the latest checkpoint with its key, Trove's self-check, the mirror and every destination's backlog", async () => {
    const latest = await world.root.expect(200, 'GET', '/api/v4/audit_events/checkpoint');
    const panel = await waitFor('the mirror to hold the latest checkpoint', async () => {
      const body = await world.root.expect(200, 'GET', '/api/v4/audit_events/integrity');
      return body.checkpoint?.tree_size === latest.tree_size && body.mirrors[0]?.state === 'up_to_date' && body;
    });
    // The public key "name+keyid+base64": the panel names the signing key the same way.
    const [name, keyId] = latest.public_key.split('+');
    assert.deepEqual(panel.checkpoint, { tree_size: latest.tree_size, root_hash: latest.root_hash, created_at: latest.created_at, key_name: name, key_id: keyId });
    assert.equal(panel.self_check.verified_by.type, 'trove');
    // Before signing a checkpoint Trove proves the log extends the one before it.
    assert.ok(panel.self_check.tree_size <= latest.tree_size && Date.parse(panel.self_check.verified_at) > 0, JSON.stringify(panel.self_check));
    assert.deepEqual(panel.last_verification, panel.self_check);
    assert.equal(panel.administrator_verification, null);
    assert.deepEqual(panel.mirrors, [{ kind: 'folder', location: mirrorDir, tree_size: latest.tree_size, state: 'up_to_date', last_error: null, last_error_at: null }]);
    assert.deepEqual(panel.streaming_destinations.map((d: any) => [d.name, d.group_id, d.active]), [['siem', group.id, true], ['instance-siem', null, false]]);
    assert.ok(panel.streaming_destinations[0].status.backlog > 0);
    assert.deepEqual(panel.open_alarms, []);
  });

  it("shows a group owner the group's destination with the backlog its own API reports, and no mirror", async () => {
    const [destination] = await olga.api.expect(200, 'GET', destinationsPath(group.id));
    // Checkpoints join the backlog as they are sealed: read both until they agree.
    const panel = await waitFor('the same backlog in both', async () => {
      const body = await olga.api.expect(200, 'GET', `/api/v4/groups/${group.id}/audit_events/integrity`);
      const again = await olga.api.expect(200, 'GET', destinationsPath(group.id));
      return body.streaming_destinations[0]?.status.backlog === again[0].status.backlog && body;
    });
    assert.equal(panel.mirrors, null);
    assert.deepEqual(panel.streaming_destinations.map((d: any) => [d.id, d.name]), [[destination.id, 'siem']]);
    assert.ok(panel.checkpoint.tree_size > 0);
    assert.equal((await dev.api.get(`/api/v4/groups/${group.id}/audit_events/integrity`)).status, 403);
    assert.equal((await olga.api.get('/api/v4/audit_events/integrity')).status, 403);
  });

  it('verifies the log now for an administrator, records audit_log_verified with the administrator as actor, and shows it', async () => {
    assert.equal((await olga.api.post('/api/v4/audit_events/verification')).status, 403);
    const head = (await world.root.expect(200, 'GET', '/api/v4/audit_events?per_page=1'))[0];
    const run = await world.root.expect(201, 'POST', '/api/v4/audit_events/verification');
    assert.equal(run.outcome, 'success', JSON.stringify(run));
    assert.equal(run.tree_size, head.seq);
    assert.equal(run.trusted_keys, 'key_folder');
    assert.ok(run.checkpoints >= 1 && run.roots_recomputed === run.checkpoints, JSON.stringify(run));
    const [event] = await allEvents(world.root, '/api/v4/audit_events', '&event_name=audit_log_verified');
    assert.equal(event.id, run.event_id);
    assert.equal(event.outcome, 'success');
    assert.equal(event.actor.type, 'personal_access_token');
    assert.equal(event.actor.username, 'root');
    assert.deepEqual(event.changes.tree_size, { from: null, to: head.seq });
    const panel = await world.root.expect(200, 'GET', '/api/v4/audit_events/integrity');
    assert.deepEqual(panel.administrator_verification, {
      verified_at: event.created_at,
      verified_by: { type: 'user', user_id: event.author_id, username: 'root' },
      tree_size: head.seq,
      outcome: 'success',
      reason: null,
      event_id: event.id,
    });
  });

  it('lists an open integrity alarm, and an administrator verification names the first bad seq', async () => {
    const sealed = await waitUntilSealed(world.root);
    await trove.stop();
    const data = { dataDir: trove.dataDir, databaseUrl: trove.databaseUrl };
    // Event 2 edited (only a full verification recomputes its hash) and the sealed tail deleted (the self-check sees that).
    const copy = await tamperedCopyOf(data, async (db) => {
      await db.run('UPDATE audit_events SET record = replace(record, ?, ?) WHERE seq = 2', ['"uuid"', '"uuid_"']);
      await db.run('DELETE FROM audit_events WHERE seq > ?', [sealed - 1]);
    });
    trove = await startTrove({ dataDir: copy.dataDir, env: { ...ENV, TROVE_ROOT_TOKEN: world.trove.rootToken, ...(copy.databaseUrl ? { TROVE_DATABASE_URL: copy.databaseUrl } : {}) } });
    const root = new Api(trove.baseUrl, privateToken(world.trove.rootToken));
    const panel = await root.expect(200, 'GET', '/api/v4/audit_events/integrity');
    const { alarm } = await root.expect(200, 'GET', '/api/v4/audit_events/integrity_alarm');
    assert.ok(alarm, 'the self-check at start raised an alarm');
    assert.deepEqual(panel.open_alarms, [alarm]);
    assert.equal(panel.self_check, null, 'a failed self-check is no verification');
    const run = await root.expect(201, 'POST', '/api/v4/audit_events/verification');
    assert.equal(run.outcome, 'failure');
    assert.equal(run.first_bad_seq, 2, JSON.stringify(run));
    assert.match(run.reason, /^seq 2: /);
  });
});

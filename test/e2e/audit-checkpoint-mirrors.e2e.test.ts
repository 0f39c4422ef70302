import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint } from '../../src/core/audit/seal/checkpoint.js';
import { hashToHex } from '../../src/core/audit/seal/merkle.js';
import { parseTrustedKeys } from '../../src/core/audit/verify/verify-files.js';
import { expectOk, runTroveCli, waitUntilSealed } from '../support/audit-verify-data.js';
import { createDestination, STREAMING_ENV, uploadGeneric } from '../support/streaming.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { verifyStandardWebhook, waitFor, WebhookReceiver } from '../support/webhook-receiver.js';
import { World } from '../support/world.js';

// docs/architecture.md#tamper-evidence checkpoint mirrors: every checkpoint is appended to the configured folder
// (TROVE_AUDIT_CHECKPOINT_MIRROR_DIR/checkpoints.txt, which `trove audit verify --checkpoints`
// reads as it is) and delivered to every streaming destination, whatever its scope and event
// filter, as a signed `audit_checkpoint` record. A folder that cannot be written meanwhile loses
// nothing: the checkpoints are appended once it can.

const SEAL_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '3', TROVE_AUDIT_SEAL_EVERY_MS: '500' };

describe('audit checkpoint mirrors', () => {
  let trove: RunningTrove;
  let world: World;
  const files = tempDir('trove-mirrors-');
  const mirrorDir = join(files, 'mirror');
  const keyFile = join(files, 'key.pub');
  const receivers: { group?: WebhookReceiver; instance?: WebhookReceiver } = {};
  const secrets: Record<string, string> = {};
  let projectId = 0;
  /** The tree size sealed once both destinations existed: later checkpoints must reach both. */
  let sealedBeforeDestinations = 0;

  before(async () => {
    // Where the folder should be there is a file at first: every write to the mirror fails.
    writeFileSync(mirrorDir, 'not a folder');
    trove = await startTrove({ env: { ...STREAMING_ENV, ...SEAL_ENV, TROVE_AUDIT_CHECKPOINT_MIRROR_DIR: mirrorDir }, dataDir: join(tempDir(), 'data') });
    world = new World(trove);
    const acme = await world.group('acme');
    projectId = (await world.project('web', acme.id)).id;
    receivers.group = await WebhookReceiver.start();
    receivers.instance = await WebhookReceiver.start();
    // A group destination whose filter matches none of the events here: checkpoints reach it all the same.
    secrets.group = (await createDestination(world.root, acme.id, { name: 'siem', url: receivers.group.url, event_names: ['member_removed'] })).secret;
    secrets.instance = (await createDestination(world.root, undefined, { name: 'all', url: receivers.instance.url })).secret;
    sealedBeforeDestinations = (await world.root.get('/api/v4/audit_events/checkpoint')).body.tree_size;
  });

  after(async () => {
    if (trove && trove.process.exitCode === null) await trove.stop();
    for (const receiver of Object.values(receivers)) await receiver?.close();
  });

  it('delivers each checkpoint to every destination as a signed audit_checkpoint record', async () => {
    // Two rounds, each sealed before the next: at least two checkpoints after the destinations.
    for (let v = 0; v < 3; v++) await uploadGeneric(world.root, projectId, 'tool', `1.0.${v}`);
    await waitUntilSealed(world.root);
    for (let v = 3; v < 7; v++) await uploadGeneric(world.root, projectId, 'tool', `1.0.${v}`);
    const sealed = await waitUntilSealed(world.root);
    const key = await world.root.get('/api/v4/audit_events/checkpoint/public_key');
    writeFileSync(keyFile, key.text);
    const listing = (await world.root.get('/api/v4/audit_events/checkpoints?per_page=100')).body as any[];
    const bySize = new Map(listing.map((c) => [c.tree_size as number, c]));
    for (const name of ['group', 'instance'] as const) {
      const receiver = receivers[name]!;
      await waitFor(`${name} receives the checkpoint of tree size ${sealed}`, () => receiver.checkpoints.some((r) => r.json.tree_size === sealed), 30_000);
      const sizes = receiver.checkpoints.map((r) => r.json.tree_size as number);
      assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b), 'oldest first');
      assert.equal(new Set(sizes).size, sizes.length, 'each checkpoint once');
      assert.ok(sizes.every((size) => bySize.has(size)));
      const due = [...bySize.keys()].filter((size) => size > sealedBeforeDestinations && size <= sealed);
      assert.ok(due.length >= 2 && due.every((size) => sizes.includes(size)), `every checkpoint since the destinations were made: ${due} in ${sizes}`);
      for (const record of receiver.checkpoints) {
        const stored = bySize.get(record.json.tree_size)!;
        assert.deepEqual(Object.keys(record.json), ['type', 'origin', 'tree_size', 'root_hash', 'note']);
        assert.equal(record.json.type, 'audit_checkpoint');
        assert.equal(record.json.root_hash, stored.root_hash);
        assert.equal(record.json.note, stored.checkpoint);
        const opened = openCheckpoint(record.json.note, parseTrustedKeys(key.text));
        assert.ok(opened.ok, JSON.stringify(opened));
        assert.equal(hashToHex(opened.checkpoint.rootHash), record.json.root_hash);
        assert.equal(opened.checkpoint.origin, record.json.origin);
        assert.equal(record.headers['x-gitlab-audit-event-type'], 'audit_checkpoint');
        assert.equal(record.webhookId, `audit-checkpoint-${record.json.tree_size}`);
        assert.ok(verifyStandardWebhook(secrets[name], record), 'signed like every delivery');
      }
    }
    // The instance destination got the events too, each before the checkpoint that seals it was sent.
    const instance = receivers.instance!;
    const sealedAt = instance.checkpoints.find((r) => r.json.tree_size === sealed)!.at;
    assert.ok(instance.received.filter((r) => r.json.seq <= sealed).every((r) => r.at <= sealedAt));
    assert.equal(receivers.group!.received.length, 0, 'the group filter still applies to events');
  });

  it('appends to the mirror folder once it can be written, losing no checkpoint', async () => {
    assert.equal(readFileSync(mirrorDir, 'utf8'), 'not a folder', 'nothing could be written so far');
    rmSync(mirrorDir);
    const mirrorFile = join(mirrorDir, 'checkpoints.txt');
    const all = async () => (await world.root.get('/api/v4/audit_events/checkpoints/all.txt')).text;
    await uploadGeneric(world.root, projectId, 'tool', '2.0.0');
    const sealed = await waitUntilSealed(world.root);
    const expected = await all();
    await waitFor('the mirror catches up', () => existsSync(mirrorFile) && readFileSync(mirrorFile, 'utf8').split('\n---\n').length >= expected.split('\n---\n').length, 30_000);
    const mirrored = readFileSync(mirrorFile, 'utf8');
    assert.ok(mirrored.startsWith(expected.trimEnd()), 'every checkpoint in order, as all.txt has them');
    assert.ok(mirrored.includes(`\n${sealed}\n`));

    await trove.stop();
    // The mirror is a checkpoints file: verify reads it as it is.
    const data = { dataDir: trove.dataDir, databaseUrl: trove.databaseUrl };
    const verified = await runTroveCli(['audit', 'verify', '--trusted-key', keyFile, '--checkpoints', mirrorFile], data);
    expectOk(verified);
  });
});

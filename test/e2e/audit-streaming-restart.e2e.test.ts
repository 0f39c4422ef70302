import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pool } from '../support/scale-out.js';
import { createDestination, destinationsPath, STREAMING_ENV, eventsAfter, killAndRestart, lastSeq, startStreamingTrove, toggleSetting } from '../support/streaming.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { waitFor, WebhookReceiver } from '../support/webhook-receiver.js';
import { World } from '../support/world.js';

// Delivery survives restarts (docs/api.md#audit-event-streaming): the outbox is in the database, so after kill -9 the next
// process resumes the backlog where the dead one stopped (what was delivered in the last moments
// but not yet recorded, at most one batch of 100, arrives twice), and after SIGTERM nothing is lost.

describe('audit event streaming: restarts', () => {
  let trove: RunningTrove;
  let receiver: WebhookReceiver;

  before(async () => {
    trove = await startStreamingTrove();
    receiver = await WebhookReceiver.start();
  });

  after(async () => {
    await trove?.stop();
    await receiver?.close();
  });

  it('resumes the backlog from the outbox after kill -9, in order, repeating at most one unrecorded batch', async () => {
    const world = new World(trove);
    const group = await world.group('acme');
    const destination = await createDestination(world.root, group.id, { name: 'siem', url: receiver.url });
    // A slow receiver: events pile up faster than they are delivered.
    receiver.answer = () => ({ slowMs: 40 }); // at most 25 deliveries a second
    const start = await lastSeq(world.root);
    await pool(Array.from({ length: 150 }, (_, i) => i), 4, (i) => toggleSetting(world.root, group.id, i));
    const status = (await world.root.expect(200, 'GET', `${destinationsPath(group.id)}/${destination.id}`)).status;
    trove = await killAndRestart(trove);
    const expected = (await eventsAfter(new World(trove).root, start, group.id)).map((e) => e.seq);
    assert.ok(expected.length > 50, `${expected.length} events`); // concurrent toggles to the same value record no change
    await waitFor('every event', () => expected.every((seq) => receiver.seqs().includes(seq)), 30_000);
    const seqs = receiver.seqs().filter((s) => s > start);
    const firsts = [...new Set(seqs)];
    assert.deepEqual(firsts, expected, 'first receipts in seq order');
    assert.ok(seqs.length - firsts.length <= 100, `${seqs.length - firsts.length} duplicates`);
    assert.ok(status.backlog > 0, `the kill came with a backlog of ${status.backlog}`);
  });
});

describe('audit event streaming: graceful stop', () => {
  it('hands the backlog over on SIGTERM: the next process delivers it without waiting for the lease to lapse', async () => {
    const receiver = await WebhookReceiver.start();
    const env = { ...STREAMING_ENV, TROVE_JOB_LEASE_SECONDS: '120' };
    const dataDir = join(tempDir(), 'data'); // the test's own: the next process starts on it after stop()
    let trove: RunningTrove | undefined;
    try {
      trove = await startTrove({ env, dataDir });
      const world = new World(trove);
      const group = await world.group('acme');
      await createDestination(world.root, group.id, { name: 'siem', url: receiver.url });
      receiver.answer = () => ({ status: 503 }); // down: everything stays in the backlog
      const start = await lastSeq(world.root);
      for (let i = 0; i < 5; i++) await toggleSetting(world.root, group.id, i);
      assert.equal(await trove.stop(), 0);
      receiver.answer = () => ({ status: 200 });
      const dbEnv: Record<string, string> = trove.databaseUrl ? { TROVE_DATABASE_URL: trove.databaseUrl } : {};
      trove = await startTrove({ dataDir, env: { ...env, ...dbEnv, TROVE_ROOT_TOKEN: trove.rootToken } });
      const expected = (await eventsAfter(new World(trove).root, start, group.id)).map((e) => e.seq);
      assert.equal(expected.length, 5);
      // Well within the 120 s lease: the stopped process released it.
      await waitFor('the backlog', () => expected.every((seq) => receiver.seqs().includes(seq)), 10_000);
      assert.deepEqual([...new Set(receiver.seqs().filter((s) => s > start))], expected);
    } finally {
      await trove?.stop();
      await receiver.close();
    }
  });

  it('stops within moments on SIGTERM while a delivery hangs on a receiver that never answers', async () => {
    const receiver = await WebhookReceiver.start();
    let trove: RunningTrove | undefined;
    try {
      trove = await startTrove({ env: { ...STREAMING_ENV, TROVE_STREAMING_TIMEOUT_MS: '60000' } });
      const world = new World(trove);
      const group = await world.group('acme');
      receiver.answer = () => ({ slowMs: 120_000 });
      await createDestination(world.root, group.id, { name: 'hung', url: receiver.url });
      await waitFor('the hanging delivery', () => receiver.received.length > 0);
      const stopping = Date.now();
      assert.equal(await trove.stop(), 0);
      // Far below the 60 s the hanging delivery would take, with room for a busy machine.
      assert.ok(Date.now() - stopping < 20_000, `stopped after ${Date.now() - stopping} ms`);
    } finally {
      await trove?.stop();
      await receiver.close();
    }
  });
});

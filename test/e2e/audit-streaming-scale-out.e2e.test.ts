import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, privateToken } from '../support/api.js';
import { pgRows } from '../support/scale-out.js';
import { createDestination, eventsAfter, lastSeq, STREAMING_ENV, toggleSetting } from '../support/streaming.js';
import { freshDatabaseUrl, TEST_BACKEND } from '../support/test-database.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { waitFor, WebhookReceiver } from '../support/webhook-receiver.js';
import { World } from '../support/world.js';

// Streaming with two Trove processes on one PostgreSQL database (docs/operations.md#scale-out-on-postgresql): a destination created
// through one process gets the events the other commits right after (destinations are read in
// the event's transaction); exactly one process delivers (the holder of the scheduler lease),
// and when it is killed with SIGKILL the other takes over and delivers the rest, in order.

describe('audit streaming: two Troves on one PostgreSQL database', { skip: TEST_BACKEND === 'postgres' ? false : 'several processes share a PostgreSQL database' }, () => {
  const troves: RunningTrove[] = [];
  let databaseUrl: string;
  let receiver: WebhookReceiver;

  before(async () => {
    databaseUrl = (await freshDatabaseUrl())!;
    const dataDir = join(tempDir(), 'data');
    const env = {
      ...STREAMING_ENV,
      // While the receiver refuses (503) the leader's retries must not run out: a dead-lettered event
      // is never delivered by the survivor. 100 retries 100 ms apart outlast the refusing phase (ten
      // requests and a kill) by far, also on a busy machine; the circuit (10 failures) opens first.
      TROVE_STREAMING_RETRY_SCHEDULE_MS: Array(100).fill(100).join(','),
      TROVE_DATABASE_URL: databaseUrl,
      TROVE_ROOT_TOKEN: 'glpat-streaming-scale-out-abcdefghij',
    };
    troves.push(await startTrove({ env, dataDir }));
    troves.push(await startTrove({ env, dataDir }));
    receiver = await WebhookReceiver.start();
  });

  after(async () => {
    for (const trove of troves) await trove.stop();
    await receiver?.close();
  });

  const leaseHolderPid = async () => {
    const [row] = await pgRows(databaseUrl, `select holder from job_leases where name = 'scheduler'`);
    return row ? Number(String(row.holder).split(':')[1]) : undefined;
  };

  it('delivers what either process commits, from one process, and the other takes over after kill -9', async () => {
    const [a, b] = troves.map((t) => new Api(t.baseUrl, privateToken(t.rootToken)));
    const group = await new World(troves[0]).group('acme');
    await createDestination(a, group.id, { name: 'siem', url: receiver.url });
    const start = await lastSeq(a);
    // Right after the destination was created through a, b commits events: each is queued.
    for (let i = 0; i < 10; i++) await toggleSetting(i % 2 === 0 ? b : a, group.id, i);
    let expected = (await eventsAfter(a, start, group.id)).map((e) => e.seq);
    assert.equal(expected.length, 10);
    await waitFor('the first ten events', () => expected.every((seq) => receiver.seqs().includes(seq)));
    assert.deepEqual(receiver.seqs().filter((s) => s > start), expected, 'each once, in order: one process delivers');

    const holder = await leaseHolderPid();
    const leader = troves.findIndex((t) => t.process.pid === holder);
    assert.notEqual(leader, -1, `the lease holder (pid ${holder}) is one of the two processes`);
    const survivor = troves[1 - leader];
    const survivorApi = [a, b][1 - leader];
    receiver.answer = () => ({ status: 503 }); // the leader dies with a backlog
    for (let i = 10; i < 20; i++) await toggleSetting(survivorApi, group.id, i);
    const exited = new Promise((resolve) => troves[leader].process.once('exit', resolve));
    troves[leader].process.kill('SIGKILL');
    await exited;
    troves.splice(leader, 1);
    receiver.answer = () => ({ status: 200 });
    for (let i = 20; i < 25; i++) await toggleSetting(survivorApi, group.id, i);
    expected = (await eventsAfter(survivorApi, start, group.id)).map((e) => e.seq);
    assert.equal(expected.length, 25);
    // Only a hang guard: the lease lapses after 2 s, then the survivor delivers at once.
    await waitFor('the survivor to deliver everything', () => expected.every((seq) => receiver.seqs().includes(seq)), 120_000);
    assert.equal(await leaseHolderPid(), survivor.process.pid, 'the survivor holds the lease now');
    const firsts = [...new Set(receiver.seqs().filter((s) => s > start))];
    assert.deepEqual(firsts, expected, 'first receipts in seq order across the takeover');
  });
});

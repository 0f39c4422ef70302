import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDestination, destinationsPath, eventsAfter, lastSeq, startStreamingTrove, toggleSetting } from '../support/streaming.js';
import type { RunningTrove } from '../support/trove-process.js';
import { sleep, verifyStandardWebhook, waitFor, WebhookReceiver } from '../support/webhook-receiver.js';
import { World } from '../support/world.js';

// Audit event streaming when receivers misbehave (docs/api.md#audit-event-streaming): retries on the (fast, test) schedule,
// Retry-After honoured, 410 switches the destination off (audited), exhausted events become dead
// letters that an owner lists and replays, repeated failures open a circuit that a probe closes,
// and the manual test event. Each test has its own group, destination and receiver.

const SCHEDULE = [20, 40, 80];
const CIRCUIT_FAILURES = 6;
const CIRCUIT_PAUSE_MS = 1500;

describe('audit event streaming: failures', () => {
  let trove: RunningTrove;
  let world: World;
  const receivers: WebhookReceiver[] = [];

  before(async () => {
    trove = await startStreamingTrove({
      TROVE_STREAMING_RETRY_SCHEDULE_MS: SCHEDULE.join(','),
      TROVE_STREAMING_CIRCUIT_FAILURES: String(CIRCUIT_FAILURES),
      TROVE_STREAMING_CIRCUIT_PAUSE_MS: String(CIRCUIT_PAUSE_MS),
    });
    world = new World(trove);
  });

  after(async () => {
    await trove?.stop();
    for (const receiver of receivers) await receiver.close();
  });

  /** A fresh top-level group with one destination pointing at a fresh receiver. */
  async function setUp(name: string) {
    const group = await world.group(name);
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const destination = await createDestination(world.root, group.id, { name, url: receiver.url });
    await waitFor('the creation event', () => receiver.received.length >= 1);
    const path = `${destinationsPath(group.id)}/${destination.id}`;
    return { group, receiver, destination, path, show: () => world.root.expect(200, 'GET', path) };
  }

  it('retries failed deliveries on the schedule, then delivers, still in order', async () => {
    const { group, receiver, show } = await setUp('retries');
    let failuresLeft = 3;
    receiver.answer = () => (failuresLeft-- > 0 ? { status: 500 } : { status: 200 });
    const start = await lastSeq(world.root);
    for (let i = 0; i < 3; i++) await toggleSetting(world.root, group.id, i);
    const expected = (await eventsAfter(world.root, start, group.id)).map((e) => e.seq);
    await waitFor('all three events', () => new Set(receiver.seqs()).size === 4);
    const attempts = receiver.received.filter((r) => r.json.seq === expected[0]);
    assert.equal(attempts.length, 4, 'three failures, then success on the last scheduled retry');
    for (let i = 1; i < attempts.length; i++) {
      const gap = attempts[i].at - attempts[i - 1].at;
      assert.ok(gap >= SCHEDULE[i - 1] - 5, `retry ${i} came ${gap} ms after the previous attempt (schedule ${SCHEDULE[i - 1]} ms)`);
    }
    assert.deepEqual([...new Set(receiver.seqs().slice(1))], expected, 'first receipts in seq order');
    const status = (await waitFor('the backlog to drain', async () => ((await show()).status.backlog === 0 ? show() : false))).status;
    assert.equal(status.last_delivered_seq, expected.at(-1));
    assert.match(status.last_error, /HTTP 500/);
    assert.equal(status.dead_letters, 0);
  });

  it('honours Retry-After on 429 and 503', async () => {
    const { group, receiver } = await setUp('throttled');
    // The date is made when the 503 is answered: made earlier, a slow first attempt would eat into it.
    const answers = [() => ({ status: 429, headers: { 'retry-after': '1' } }), () => ({ status: 503, headers: { 'retry-after': new Date(Date.now() + 3000).toUTCString() } })];
    receiver.answer = () => answers.shift()?.() ?? { status: 200 };
    await toggleSetting(world.root, group.id, 0);
    await waitFor('the third attempt', () => receiver.received.length >= 4, 20_000);
    const [first, second, third] = receiver.received.slice(1);
    assert.equal(first.json.seq, third.json.seq);
    assert.ok(second.at - first.at >= 950, `429 Retry-After: 1 -> retried after ${second.at - first.at} ms (the schedule says ${SCHEDULE[0]})`);
    // An HTTP date has one-second resolution: the retry comes at that second, not 40 ms later.
    assert.ok(third.at - second.at >= 1000, `503 Retry-After: <date ~3 s ahead> -> retried after ${third.at - second.at} ms`);
  });

  it('switches the destination off when the receiver answers 410 Gone, on the record', async () => {
    const { group, receiver, destination, show } = await setUp('gone');
    receiver.answer = () => ({ status: 410 });
    await toggleSetting(world.root, group.id, 0);
    const shown = await waitFor('deactivation', async () => {
      const current = await show();
      return current.active === false && current;
    });
    assert.match(shown.status.last_error, /410/);
    const events = await eventsAfter(world.root, 0, group.id);
    const deactivated = events.find((e) => e.event_name === 'audit_event_streaming_destination_updated');
    assert.ok(deactivated, 'the deactivation is audited');
    assert.equal(deactivated.actor.type, 'system');
    assert.equal(deactivated.details.target_id, destination.id);
    assert.deepEqual(deactivated.changes, { active: { from: true, to: false } });
    const seen = receiver.received.length;
    await toggleSetting(world.root, group.id, 1);
    await sleep(500);
    assert.equal(receiver.received.length, seen, 'nothing is sent to a deactivated destination');
    assert.equal(receiver.received.filter((r) => r.json.seq === receiver.received[1].json.seq).length, 1, '410 is not retried');
  });

  it('moves an event whose retries ran out to the dead letters, carries on, and replays it', async () => {
    const { group, receiver, path, show } = await setUp('dead-letters');
    // Of enabled (a), disabled (b), enabled (c), the receiver refuses b, whatever is retried.
    receiver.answer = (request) => (request.json.changes?.package_download_events?.to === 'disabled' ? { status: 500 } : { status: 200 });
    const start = await lastSeq(world.root);
    for (let i = 0; i < 3; i++) await toggleSetting(world.root, group.id, i);
    const [a, b, c] = (await eventsAfter(world.root, start, group.id)).map((e) => e.seq);
    await waitFor('c delivered', () => receiver.seqs().includes(c));
    assert.deepEqual(receiver.seqs().filter((s) => s > start), [a, b, b, b, b, c], 'b tried 1 + 3 times, then c');
    const deadLetters = await world.root.expect(200, 'GET', `${path}/dead_letters`);
    assert.equal(deadLetters.length, 1);
    assert.deepEqual([deadLetters[0].seq, deadLetters[0].attempts], [b, 4]);
    assert.match(deadLetters[0].last_error, /HTTP 500/);
    assert.equal((await show()).status.dead_letters, 1);

    receiver.answer = () => ({ status: 200 });
    assert.deepEqual(await world.root.expect(200, 'POST', `${path}/dead_letters/replay`, {}), { replayed: 1 });
    await waitFor('b replayed', () => receiver.seqs().filter((s) => s === b).length === 5);
    const status = (await waitFor('empty backlog', async () => ((await show()).status.backlog === 0 ? show() : false))).status;
    assert.equal(status.dead_letters, 0);
    assert.deepEqual(await world.root.expect(200, 'GET', `${path}/dead_letters`), []);
  });

  it('opens the circuit after repeated failures, pauses, and a probe closes it', async () => {
    const { group, receiver, show } = await setUp('circuit');
    let healthy = false;
    receiver.answer = () => (healthy ? { status: 200 } : { status: 502 });
    const start = await lastSeq(world.root);
    for (let i = 0; i < 2; i++) await toggleSetting(world.root, group.id, i);
    await waitFor(`${CIRCUIT_FAILURES} failed attempts`, () => receiver.received.length >= 1 + CIRCUIT_FAILURES);
    const opened = receiver.received.at(-1)!.at;
    // The last failure is recorded a moment after the receiver answered it.
    const status = await waitFor('the circuit to show open', async () => {
      const current = (await show()).status;
      return current.circuit === 'open' && current;
    }, 2000);
    assert.equal(status.backlog, 1);
    assert.ok(Date.parse(status.next_attempt_at) >= opened + CIRCUIT_PAUSE_MS - 200, `next attempt ${status.next_attempt_at} after the pause`);
    await sleep(CIRCUIT_PAUSE_MS / 2);
    assert.equal(receiver.received.length, 1 + CIRCUIT_FAILURES, 'nothing is sent while the circuit is open');
    healthy = true;
    const last = (await eventsAfter(world.root, start, group.id)).at(-1).seq;
    const probe = await waitFor('the probe', () => receiver.received[1 + CIRCUIT_FAILURES], 10_000);
    assert.equal(probe.json.seq, last, 'the first event was dead-lettered after its retries; the probe sends the second');
    assert.ok(probe.at - opened >= CIRCUIT_PAUSE_MS - 50, `probe ${probe.at - opened} ms after the circuit opened`);
    assert.equal((await show()).status.circuit, 'closed');
  });

  it('sends a signed test event on demand and reports the answer', async () => {
    const { receiver, destination, path } = await setUp('test-event');
    const ok = await world.root.expect(200, 'POST', `${path}/test`, {});
    assert.deepEqual({ ...ok, webhook_id: typeof ok.webhook_id }, { delivered: true, status: 200, error: null, webhook_id: 'string' });
    const request = receiver.received.at(-1)!;
    assert.equal(request.json.event_name, 'audit_event_streaming_test');
    assert.equal(request.webhookId, ok.webhook_id);
    assert.ok(verifyStandardWebhook(destination.secret, request));
    receiver.answer = () => ({ status: 500 });
    const failed = await world.root.expect(200, 'POST', `${path}/test`, {});
    assert.deepEqual([failed.delivered, failed.status], [false, 500]);
  });
});

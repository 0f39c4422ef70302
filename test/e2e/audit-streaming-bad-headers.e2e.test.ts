import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFaultInjector, type FaultInjector } from '../support/fault-injection.js';
import { destinationsPath, startStreamingTrove, toggleSetting } from '../support/streaming.js';
import type { RunningTrove } from '../support/trove-process.js';
import { sleep, waitFor, WebhookReceiver } from '../support/webhook-receiver.js';
import { World } from '../support/world.js';

// A custom header value Node cannot send (a control character, a character above U+00FF) is
// refused when saved (RFC 9110 field-value). One stored before that check existed (written here
// straight into the database) makes each delivery fail like an unreachable receiver would: the
// error becomes the destination's last_error and the event waits for its scheduled retry, rather
// than the lane throwing and restarting on every poll with nothing recorded.

const RETRIES = [1000, 600_000];
const BAD_VALUES = ['a\u0001b', 'tab\u007f', '\u0100', 'snow \u2603', 'line\nbreak', ' padded'];

describe('audit event streaming: header values a request cannot carry', () => {
  let trove: RunningTrove;
  let world: World;
  let receiver: WebhookReceiver;
  let database: FaultInjector;

  before(async () => {
    trove = await startStreamingTrove({ TROVE_STREAMING_RETRY_SCHEDULE_MS: RETRIES.join(',') });
    world = new World(trove);
    receiver = await WebhookReceiver.start();
    database = await openFaultInjector(trove);
  });

  after(async () => {
    await database?.close();
    await trove?.stop();
    await receiver?.close();
  });

  it('refuses them when a destination is created or changed', async () => {
    const group = await world.group('refused');
    const created = await world.root.expect(201, 'POST', destinationsPath(group.id), { name: 'ok', url: receiver.url, headers: { authorization: 'Splunk caf\u00e9\tx' } });
    for (const value of BAD_VALUES) {
      for (const [method, path] of [['POST', destinationsPath(group.id)], ['PUT', `${destinationsPath(group.id)}/${created.id}`]] as const) {
        const res = await world.root.request(method, path, { name: 'bad', url: receiver.url, headers: [{ key: 'x-custom', value }] });
        assert.equal(res.status, 400, `${method} ${JSON.stringify(value)}: ${res.text}`);
        assert.match(res.body.message, /value of x-custom must be a single-line string of visible characters/);
      }
    }
  });

  it('turns a stored one into a recorded failure that is retried on schedule, not a tight loop', async () => {
    const group = await world.group('stored');
    const now = new Date().toISOString();
    const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    // JSON escapes, so that the stored text holds the raw characters once parsed.
    for (const [name, headers] of [['control', '{"x-bad":"a\\u0001b"}'], ['wide', '{"x-bad":"\\u0100"}']]) {
      await database.execute(`insert into audit_stream_destinations (namespace_id, name, url, secret, event_names, headers, active, consecutive_failures, created_at, updated_at)
        values (${group.id}, '${name}', '${receiver.url}', '${secret}', '[]', '${headers}', 1, 0, '${now}', '${now}')`);
    }
    const listed = await world.root.expect(200, 'GET', destinationsPath(group.id));
    assert.equal(listed.length, 2);
    await toggleSetting(world.root, group.id, 0);
    for (const destination of listed) {
      const retried = { destination_id: destination.id, attempts: RETRIES.length };
      await waitFor(`the scheduled retry of ${destination.name}`, async () => (await database.countRows('audit_stream_outbox', retried)) === 1);
      const shown = await world.root.expect(200, 'GET', `${destinationsPath(group.id)}/${destination.id}`);
      assert.match(shown.status.last_error, /Invalid character in header content/, destination.name);
      assert.equal(shown.status.backlog, 1);
      const tested = await world.root.expect(200, 'POST', `${destinationsPath(group.id)}/${destination.id}/test`);
      assert.deepEqual([tested.delivered, tested.status], [false, null]);
      assert.match(tested.error, /Invalid character in header content/);
    }
    // The next retry is ten minutes away: nothing more is attempted meanwhile.
    await sleep(1500);
    for (const destination of listed) {
      assert.equal(await database.countRows('audit_stream_outbox', { destination_id: destination.id, attempts: RETRIES.length }), 1, destination.name);
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFaultInjector } from '../support/fault-injection.js';
import { createDestination, destinationsPath, eventsAfter, lastSeq, startStreamingTrove, toggleSetting, uploadGeneric } from '../support/streaming.js';
import type { RunningTrove } from '../support/trove-process.js';
import { verifyStandardWebhook, waitFor, WebhookReceiver } from '../support/webhook-receiver.js';
import { World } from '../support/world.js';

// Audit event streaming, the happy path (docs/api.md#audit-event-streaming): destinations on a top-level group and on the
// instance receive exactly the events they should (group subtree routing, event-name filters),
// each once, in seq order, as application/json signed per Standard Webhooks (verified by an
// independent implementation), with GitLab's headers and the custom ones; the status API shows
// where each destination stands.

const PUBLISHED = 'package_registry_package_published';

describe('audit event streaming: delivery', () => {
  let trove: RunningTrove;
  let world: World;
  const receivers: Record<'group' | 'filtered' | 'instance' | 'other', WebhookReceiver> = {} as never;
  const destinations: Record<string, any> = {};
  let acme: { id: number };
  let platform: { id: number };
  let other: { id: number };
  let projects: { web: number; tools: number; elsewhere: number };

  before(async () => {
    trove = await startStreamingTrove();
    world = new World(trove);
    acme = await world.group('acme');
    platform = await world.group('platform', acme.id);
    other = await world.group('other');
    projects = {
      web: (await world.project('web', acme.id)).id,
      tools: (await world.project('tools', platform.id)).id,
      elsewhere: (await world.project('elsewhere', other.id)).id,
    };
    for (const name of ['group', 'filtered', 'instance', 'other'] as const) receivers[name] = await WebhookReceiver.start();
  });

  after(async () => {
    await trove?.stop();
    for (const receiver of Object.values(receivers)) await receiver?.close();
  });

  it('creates destinations, shows the secret only once, and audits the creation', async () => {
    destinations.group = await createDestination(world.root, acme.id, {
      name: 'siem',
      url: receivers.group.url,
      headers: { Authorization: 'Splunk 1234', 'X-Tenant': 'acme' },
    });
    assert.match(destinations.group.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.equal(Buffer.from(destinations.group.secret.slice(6), 'base64').length, 32);
    assert.deepEqual(destinations.group.headers, { authorization: '[MASKED]', 'x-tenant': '[MASKED]' });
    destinations.filtered = await createDestination(world.root, acme.id, { name: 'publishes', url: receivers.filtered.url, event_names: [PUBLISHED] });
    destinations.instance = await createDestination(world.root, undefined, { name: 'everything', url: receivers.instance.url });
    // A destination on another group, inactive from the start: receives nothing.
    destinations.other = await createDestination(world.root, other.id, { name: 'off', url: receivers.other.url, active: false });

    const shown = await world.root.expect(200, 'GET', `${destinationsPath(acme.id)}/${destinations.group.id}`);
    assert.equal(shown.secret, undefined);
    assert.equal(shown.verification_token, undefined);
    assert.equal(JSON.stringify(shown).includes(destinations.group.secret.slice(6)), false);
    assert.equal(JSON.stringify(shown).includes('Splunk 1234'), false);
    const listed = await world.root.expect(200, 'GET', destinationsPath(acme.id));
    assert.deepEqual(listed.map((d: any) => d.name), ['siem', 'publishes']);

    const created = (await eventsAfter(world.root, 0, acme.id)).filter((e) => e.event_name === 'audit_event_streaming_destination_created');
    assert.deepEqual(created.map((e) => e.details.target_details), ['siem', 'publishes']);
    assert.equal(JSON.stringify(created).includes(destinations.group.secret.slice(6)), false, 'the secret is not in the audit log');
    assert.equal(JSON.stringify(created).includes('Splunk 1234'), false, 'header values are not in the audit log');
  });

  it('delivers exactly the matching events to each destination, once, in seq order, signed', async () => {
    const start = await lastSeq(world.root);
    for (let i = 0; i < 6; i++) {
      await uploadGeneric(world.root, projects.web, 'web-pkg', `1.0.${i}`);
      await uploadGeneric(world.root, projects.tools, 'tools-pkg', `2.0.${i}`);
      await uploadGeneric(world.root, projects.elsewhere, 'else-pkg', `3.0.${i}`);
      await toggleSetting(world.root, platform.id, i);
      await toggleSetting(world.root, other.id, i);
    }
    const all = await eventsAfter(world.root, start);
    const acmeSubtree = await eventsAfter(world.root, start, acme.id);
    assert.equal(all.length, 30);
    assert.equal(acmeSubtree.length, 18, 'web + tools uploads and platform settings');
    const expected = {
      group: acmeSubtree.map((e) => e.seq),
      filtered: acmeSubtree.filter((e) => e.event_name === PUBLISHED).map((e) => e.seq),
      instance: all.map((e) => e.seq),
    };
    assert.equal(expected.filtered.length, 12);
    for (const name of ['group', 'filtered', 'instance'] as const) {
      const receiver = receivers[name];
      await waitFor(`${name} to receive ${expected[name].length} events`, () => receiver.seqs().filter((s) => s > start).length >= expected[name].length);
      assert.deepEqual(receiver.seqs().filter((s) => s > start), expected[name], `${name}: exactly the matching events, once each, in seq order`);
    }
    assert.equal(receivers.other.received.length, 0, 'an inactive destination receives nothing');

    // Every request: the full record, signed (Standard Webhooks, checked independently), with GitLab's headers.
    const byUuid = new Map(all.map((e) => [e.uuid, e]));
    for (const [name, receiver] of [['group', receivers.group], ['filtered', receivers.filtered], ['instance', receivers.instance]] as const) {
      const secret = destinations[name].secret;
      for (const request of receiver.received.filter((r) => r.json.seq > start)) {
        assert.ok(verifyStandardWebhook(secret, request), `${name}: signature of seq ${request.json.seq}`);
        assert.equal(request.headers['content-type'], 'application/json');
        assert.equal(request.webhookId, request.json.uuid);
        assert.equal(request.headers['x-gitlab-audit-event-type'], request.json.event_name);
        assert.equal(request.headers['x-gitlab-event-streaming-token'], destinations[name].verification_token);
        const stored = byUuid.get(request.json.uuid);
        assert.deepEqual({ ...request.json, leaf_hash: undefined }, { ...stored, leaf_hash: undefined });
      }
    }
    const sample = receivers.group.received.at(-1)!;
    assert.equal(sample.headers.authorization, 'Splunk 1234');
    assert.equal(sample.headers['x-tenant'], 'acme');
    // The verifier is not a rubber stamp: another secret, or a changed body, fails.
    assert.equal(verifyStandardWebhook(destinations.instance.secret, sample), false);
    assert.equal(verifyStandardWebhook(destinations.group.secret, { ...sample, body: sample.body.replace('"seq"', '"seq" ') }), false);
  });

  it('shows per destination the last delivered seq, an empty backlog and no error', async () => {
    const expectedLast = Math.max(...receivers.group.seqs());
    const status = await waitFor('status to catch up', async () => {
      const shown = await world.root.expect(200, 'GET', `${destinationsPath(acme.id)}/${destinations.group.id}`);
      return shown.status.last_delivered_seq === expectedLast && shown.status;
    });
    assert.deepEqual({ ...status, last_delivered_at: typeof status.last_delivered_at }, {
      last_delivered_seq: expectedLast,
      last_delivered_at: 'string',
      backlog: 0,
      dead_letters: 0,
      last_error: null,
      last_error_at: null,
      next_attempt_at: null,
      circuit: 'closed',
    });
  });

  it('writes an event and its outbox rows in one transaction: when the outbox insert fails, nothing is stored', async () => {
    const database = await openFaultInjector(trove);
    const fault = { name: 'streaming_outbox_fails', table: 'audit_stream_outbox' as const, when: 'NEW.seq > 0' };
    try {
      const eventsBefore = await database.countRows('audit_events');
      const packagesBefore = (await database.packageRows()).length;
      const receivedBefore = receivers.group.received.length;
      await database.failInserts(fault);
      const refused = await world.root.request('PUT', `/api/v4/projects/${projects.web}/packages/generic/atomic/1.0.0/a.txt`, 'a', { 'content-type': 'text/plain' });
      assert.equal(refused.status, 500, refused.text);
      assert.equal(await database.countRows('audit_events'), eventsBefore, 'no event without its outbox rows');
      assert.equal((await database.packageRows()).length, packagesBefore, 'no change without its event');
      await database.removeFault(fault);
      await uploadGeneric(world.root, projects.web, 'atomic', '1.0.0');
      const published = await waitFor('the retried publish', () => receivers.group.received.slice(receivedBefore).find((r) => r.json.package?.name === 'atomic'));
      assert.equal(published.json.event_name, PUBLISHED);
    } finally {
      await database.close();
    }
  });

  it('delivers a new event moments after its commit', async () => {
    const before = receivers.instance.received.length;
    const startedAt = Date.now();
    await toggleSetting(world.root, other.id, 0); // the loop above left it disabled
    const latency = await waitFor('the next event', () => receivers.instance.received.length > before && receivers.instance.received.at(-1)!.at - startedAt);
    assert.ok(latency < 2000, `delivered ${latency} ms after the request started`);
  });
});

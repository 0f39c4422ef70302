import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFaultInjector } from '../support/fault-injection.js';
import { createDestination, destinationsPath, eventsAfter, startStreamingTrove, STREAMING_ENV, toggleSetting } from '../support/streaming.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { sleep, waitFor, WebhookReceiver } from '../support/webhook-receiver.js';
import { World, type TestUser } from '../support/world.js';

// The destinations API (docs/api.md#audit-event-streaming): who may manage them (owners of top-level groups; admins for the
// instance), what is validated (URL, secret, filters, headers), that changes are audited without
// secrets, and the SSRF guard: never Trove itself or link-local; loopback and private networks
// only when TROVE_STREAMING_ALLOW_PRIVATE=1, checked when saved and again when connecting.

const OWNER = 50;
const MAINTAINER = 40;

describe('audit event streaming: destinations API', () => {
  let trove: RunningTrove;
  let world: World;
  let receiver: WebhookReceiver;
  let acme: { id: number };
  let owner: TestUser;
  let maintainer: TestUser;
  let outsider: TestUser;

  before(async () => {
    trove = await startStreamingTrove();
    world = new World(trove);
    receiver = await WebhookReceiver.start();
    acme = await world.group('acme');
    owner = await world.user('olivia');
    maintainer = await world.user('mark');
    outsider = await world.user('oscar');
    await world.addMember('groups', acme.id, owner, OWNER);
    await world.addMember('groups', acme.id, maintainer, MAINTAINER);
  });

  after(async () => {
    await trove?.stop();
    await receiver?.close();
  });

  it('lets owners of top-level groups and administrators manage destinations, and nobody else', async () => {
    const created = await createDestination(owner.api, acme.id, { name: 'siem', url: receiver.url });
    const one = `${destinationsPath(acme.id)}/${created.id}`;
    assert.equal((await maintainer.api.get(destinationsPath(acme.id))).status, 403);
    assert.equal((await maintainer.api.get(one)).status, 403);
    assert.equal((await maintainer.api.post(destinationsPath(acme.id), { name: 'x', url: receiver.url })).status, 403);
    const hidden = await outsider.api.get(one);
    assert.deepEqual([hidden.status, hidden.body], [404, { message: '404 Group Not Found' }]);
    assert.equal((await outsider.api.get(destinationsPath())).status, 403, 'the instance destinations are for administrators');
    const sub = await world.group('platform', acme.id);
    const onSubgroup = await owner.api.post(destinationsPath(sub.id), { name: 'x', url: receiver.url });
    assert.equal(onSubgroup.status, 400);
    // Another group's destination id is not found through this group.
    const other = await world.group('other');
    const foreign = await createDestination(world.root, other.id, { name: 'other', url: receiver.url });
    assert.equal((await owner.api.get(`${destinationsPath(acme.id)}/${foreign.id}`)).status, 404);
    assert.equal((await world.root.get(`${destinationsPath()}/${foreign.id}`)).status, 404, 'a group destination is not an instance one');
    const readOnly = await world.token(owner, 'read-only', ['read_api']);
    const readApi = owner.api.as({ 'PRIVATE-TOKEN': readOnly.token });
    assert.equal((await readApi.get(one)).status, 200);
    assert.equal((await readApi.put(one, { name: 'renamed' })).status, 403);
  });

  it('validates URLs, secrets, filters and headers', async () => {
    const post = (body: Record<string, unknown>) => owner.api.post(destinationsPath(acme.id), { name: 'v', url: receiver.url, ...body });
    for (const [body, pattern] of [
      [{ url: 'ftp://127.0.0.1/x' }, /http or https/],
      [{ url: 'not a url' }, /not a valid URL/],
      [{ url: 'http://user:pw@127.0.0.1/x' }, /credentials/],
      [{ secret: 'whsec_' + Buffer.alloc(16).toString('base64') }, /24 to 64/],
      [{ secret: 'plain-text-secret-that-is-long-enough' }, /whsec_/],
      // The shape of a field is declared in the route's schema: GitLab's {"error": "<field> is invalid"}.
      [{ event_names: 'package_registry_package_published' }, /^event_names is invalid$/],
      [{ event_names: ['package_registry_package_published', 'package_registry_package_publised'] }, /^event_names: package_registry_package_publised is not an event Trove records/],
      [{ headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, 'v'])) }, /^headers is invalid$/],
      [{ headers: { 'webhook-signature': 'forged' } }, /set by Trove/],
      [{ headers: { 'x-ok': 'line\r\nbreak' } }, /single-line/],
      [{ active: 'yes' }, /^active is invalid$/],
    ] as const) {
      const res = await post(body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.body.message ?? res.body.error, pattern);
    }
    const secret = 'whsec_' + Buffer.alloc(48, 7).toString('base64');
    const ok = await post({ secret, event_names: ['package_registry_package_published'], headers: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x-h${i}`, 'v'])) });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.secret, secret);
  });

  it('audits changes and deletions without secrets or header values', async () => {
    const created = await createDestination(owner.api, acme.id, { name: 'audited', url: receiver.url, headers: { authorization: 'Bearer s3cret-header' } });
    const one = `${destinationsPath(acme.id)}/${created.id}`;
    const newSecret = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
    const updated = await owner.api.expect(200, 'PUT', one, { name: 'audited-2', secret: newSecret, event_names: ['package_registry_package_deleted'], active: false });
    assert.deepEqual([updated.name, updated.active, updated.event_names, updated.secret], ['audited-2', false, ['package_registry_package_deleted'], undefined]);
    assert.equal((await owner.api.delete(one)).status, 204);
    assert.equal((await owner.api.get(one)).status, 404);
    const events = (await eventsAfter(world.root, 0, acme.id)).filter((e) => e.details.target_id === created.id && e.event_name.startsWith('audit_event_streaming_destination_'));
    assert.deepEqual(events.map((e) => e.event_name), ['audit_event_streaming_destination_created', 'audit_event_streaming_destination_updated', 'audit_event_streaming_destination_deleted']);
    assert.deepEqual(Object.keys(events[1].changes).sort(), ['active', 'event_names', 'name', 'secret']);
    assert.deepEqual(events[1].changes.name, { from: 'audited', to: 'audited-2' });
    assert.deepEqual(events[0].changes.header_names, { from: null, to: ['authorization'] });
    assert.equal(events[1].author_id, owner.id);
    const text = JSON.stringify(events);
    for (const secret of [created.secret, newSecret]) assert.equal(text.includes(secret.slice(6)), false);
    assert.equal(text.includes('s3cret-header'), false);
  });

  it('refuses Trove itself and link-local addresses even when private destinations are allowed', async () => {
    for (const url of [`${trove.baseUrl}/api/v4/projects`, `http://127.0.0.1:${trove.port}/x`,
      // IPv4 carried in IPv6 (mapped, in either spelling, and compatible) is judged as that IPv4.
      `http://[::ffff:127.0.0.1]:${trove.port}/x`, `http://[::ffff:7f00:1]:${trove.port}/x`, `http://[::127.0.0.1]:${trove.port}/x`, 'http://[::ffff:a9fe:a9fe]/x',
      'http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/x', 'http://0.0.0.0:9/x']) {
      const res = await owner.api.post(destinationsPath(acme.id), { name: 'ssrf', url });
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.match(res.body.message, /not allowed/);
    }
  });
});

describe('audit event streaming: SSRF guard without TROVE_STREAMING_ALLOW_PRIVATE', () => {
  let trove: RunningTrove;
  let receiver: WebhookReceiver;

  before(async () => {
    // Without TROVE_STREAMING_ALLOW_PRIVATE, and (as STREAMING_ENV) no checkpoint sealed into the backlog counted below.
    trove = await startTrove({ env: { TROVE_STREAMING_POLL_MS: '100', TROVE_AUDIT_SEAL_EVERY_MS: STREAMING_ENV.TROVE_AUDIT_SEAL_EVERY_MS, TROVE_AUDIT_SEAL_EVERY_EVENTS: STREAMING_ENV.TROVE_AUDIT_SEAL_EVERY_EVENTS } });
    receiver = await WebhookReceiver.start();
  });

  after(async () => {
    await trove?.stop();
    await receiver?.close();
  });

  it('refuses loopback and private addresses when saving, and again when connecting', async () => {
    const world = new World(trove);
    const group = await world.group('acme');
    for (const url of [receiver.url, 'http://localhost:9/x', 'http://10.1.2.3/x', 'http://192.168.1.1/x', 'http://[::1]:9/x', 'http://[::ffff:127.0.0.1]:9/x', 'http://[::7f00:1]/x', 'http://[::a00:1]/x']) {
      const res = await world.root.post(destinationsPath(group.id), { name: 'private', url });
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.match(res.body.message, /loopback or private|not allowed/);
    }
    // A destination that got past the save-time check (a name that resolved elsewhere then, say):
    // written straight into the database, it is still refused when connecting.
    const now = new Date().toISOString();
    const database = await openFaultInjector(trove);
    await database.execute(`insert into audit_stream_destinations (namespace_id, name, url, secret, event_names, headers, active, consecutive_failures, created_at, updated_at)
      values (${group.id}, 'sneaky', '${receiver.url.replace('127.0.0.1', 'localhost')}', 'whsec_${Buffer.alloc(32, 1).toString('base64')}', '[]', '{}', 1, 0, '${now}', '${now}')`);
    await database.close();
    await toggleSetting(world.root, group.id, 0);
    const destinations = await waitFor('a refused attempt', async () => {
      const listed = await world.root.expect(200, 'GET', destinationsPath(group.id));
      return listed[0]?.status.last_error && listed;
    });
    assert.match(destinations[0].status.last_error, /loopback or private/);
    // The refused event stays queued, not lost. (At least one: two full CI runs, one per backend, saw a
    // second row in the backlog at this point, which runs on a quiet machine never show.)
    assert.ok(destinations[0].status.backlog >= 1, `backlog ${destinations[0].status.backlog}`);
    await sleep(200);
    assert.equal(receiver.received.length, 0, 'nothing reached the loopback receiver');
  });
});

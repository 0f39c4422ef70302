import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Api, ApiResponse } from '../support/api.js';
import { createDestination, destinationsPath, startStreamingTrove } from '../support/streaming.js';
import type { RunningTrove } from '../support/trove-process.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { World, type TestUser } from '../support/world.js';

// Every REST route that takes a body declares it with a JSON Schema (src/http/schemas.ts): a field
// of the wrong type, out of range or far too long is refused before the handler runs, with GitLab's
// 400 {"error": "<field> is invalid"} (or "... does not have a valid value" for a fixed list) —
// never a 500 from the database (a user_id of "abc" or 1e20 was one on PostgreSQL). Bodies are not
// coerced (123 is not a name, "api" is not a list of scopes), and form bodies keep working.

/** How a field is declared, which decides what is wrong for it. */
type Kind = 'text' | 'nullableText' | 'id' | 'nullableId' | 'ref' | 'fixed' | 'boolean' | 'list' | 'count';

const LONG = 'x'.repeat(100_000);
const NOT_TEXT = [{}, [], 1e308, true, LONG];
const NOT_NUMBER = [{}, [], 1e308, 1e20, '99999999999999999999', '3000000000', '1e308', 'NaN', 'abc', -1, 0, 1.5, true, LONG];
const BAD: Record<Kind, unknown[]> = {
  text: [...NOT_TEXT, null],
  nullableText: NOT_TEXT,
  id: [...NOT_NUMBER, null],
  nullableId: NOT_NUMBER,
  ref: [{}, [], 1e308, 1e20, '99999999999999999999', -1, 0, 1.5, true, LONG],
  fixed: [{}, [], 1e308, true, 'ENABLED', '__proto__', LONG, null],
  boolean: [{}, [], 1e308, 'yes', 1, LONG],
  list: [{}, 'api', 1e308, true, null, [{}], [LONG], Array(10_001).fill(1)],
  count: [{}, [], 1e308, 1e20, '99999999999999999999', -1, 1.5, 'abc', true, LONG],
};

interface BodyRoute {
  method: 'POST' | 'PUT';
  path: string;
  /** A body the route accepts (2xx), made afresh for each request (unique names). */
  valid: () => Record<string, unknown>;
  /** The form-encoded equivalent, where clients send one (curl -d). */
  form?: () => string;
  status: number;
  fields: Record<string, Kind>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}`;
const future = '2099-12-31';

describe('request bodies: declared with schemas, refused in one place', () => {
  let trove: RunningTrove;
  let world: World;
  let receiver: WebhookReceiver;
  let alice: TestUser;
  let projectId: number;
  const routes: BodyRoute[] = [];

  before(async () => {
    trove = await startStreamingTrove();
    world = new World(trove);
    receiver = await WebhookReceiver.start();
    const group = await world.group('acme', undefined, 'internal');
    const project = await world.project('app', group.id);
    projectId = project.id;
    const edited = await world.group('edited');
    const moved = await world.project('moved', group.id);
    alice = await world.user('alice');
    await world.addMember('groups', group.id, alice, 30);
    await world.addMember('projects', project.id, alice, 30);
    const destination = await createDestination(world.root, group.id, { name: 'siem', url: receiver.url });
    const newUser = async () => (await world.user(unique('member'))).id;
    const job = { pipeline_id: 1, job_id: 2, ref: 'main', sha: 'abcdef12' };
    const settings = { package_audit_events: 'fixed', package_download_events: 'fixed' } as const;
    routes.push(
      {
        method: 'POST', path: '/api/v4/groups', status: 201,
        valid: () => ({ name: unique('g'), path: unique('g'), visibility: 'private', description: 'd' }),
        form: () => `name=${unique('g')}&path=${unique('g')}&visibility=private&parent_id=${group.id}`,
        fields: { name: 'text', path: 'text', parent_id: 'ref', visibility: 'fixed', description: 'nullableText' },
      },
      {
        method: 'POST', path: '/api/v4/projects', status: 201,
        valid: () => ({ name: unique('p'), path: unique('p'), namespace_id: group.id }),
        form: () => `name=${unique('p')}&namespace_id=acme&visibility=internal`, // by path, as in the README
        fields: { name: 'text', path: 'text', namespace_id: 'ref', visibility: 'fixed', description: 'nullableText' },
      },
      {
        method: 'POST', path: '/api/v4/users', status: 201,
        valid: () => { const username = unique('u'); return { username, email: `${username}@example.com`, password: 'correct-horse-battery', admin: false }; },
        form: () => { const username = unique('u'); return `username=${username}&email=${username}%40example.com&admin=false`; },
        fields: { username: 'text', name: 'text', email: 'text', password: 'text', admin: 'boolean' },
      },
      {
        method: 'PUT', path: `/api/v4/users/${alice.id}`, status: 200,
        valid: () => ({ name: unique('Alice '), admin: false }),
        form: () => `name=${unique('Alice')}&admin=false`,
        fields: { username: 'text', name: 'text', email: 'text', password: 'text', admin: 'boolean' },
      },
      {
        method: 'PUT', path: `/api/v4/groups/${group.id}/members/${alice.id}`, status: 200,
        valid: () => ({ access_level: '30' }),
        form: () => 'access_level=30',
        fields: { access_level: 'fixed', expires_at: 'nullableText' },
      },
      ...[`/api/v4/groups/${edited.id}`, `/api/v4/projects/${project.id}`].map((path) => ({
        method: 'PUT' as const, path, status: 200,
        valid: () => ({ name: unique('n'), description: 'd' }),
        form: () => `name=${unique('n')}&visibility=private`,
        fields: { name: 'text', path: 'text', description: 'nullableText', visibility: 'fixed' } as Record<string, Kind>,
      })),
      {
        method: 'POST', path: `/api/v4/groups/${edited.id}/transfer`, status: 201,
        valid: () => ({ group_id: group.id }),
        fields: { group_id: 'ref' },
      },
      {
        method: 'PUT', path: `/api/v4/projects/${moved.id}/transfer`, status: 200,
        valid: () => ({ namespace: edited.id }),
        fields: { namespace: 'ref' },
      },
      {
        method: 'POST', path: '/api/v4/user/personal_access_tokens', status: 201,
        valid: () => ({ name: unique('t'), scopes: ['read_api'], expires_at: future }),
        form: () => `name=${unique('t')}&scopes[]=api&scopes[]=read_api&expires_at=${future}`,
        fields: { name: 'text', scopes: 'list', expires_at: 'nullableText' },
      },
      {
        method: 'POST', path: `/api/v4/users/${alice.id}/personal_access_tokens`, status: 201,
        valid: () => ({ name: unique('t'), scopes: ['api'], expires_at: null }),
        fields: { name: 'text', scopes: 'list', expires_at: 'nullableText' },
      },
      ...[`/api/v4/groups/${group.id}`, `/api/v4/projects/${project.id}`].map((owner) => ({
        method: 'POST' as const, path: `${owner}/deploy_tokens`, status: 201,
        valid: () => ({ name: unique('d'), scopes: ['read_package_registry'], username: unique('deployer') }),
        form: () => `name=${unique('d')}&scopes[]=read_package_registry&expires_at=${future}`,
        fields: { name: 'text', scopes: 'list', expires_at: 'nullableText', username: 'text' } as Record<string, Kind>,
      })),
      {
        method: 'POST', path: `/api/v4/projects/${project.id}/ci/job_tokens`, status: 201,
        valid: () => ({ ...job, user_id: alice.id, pipeline_url: null }),
        form: () => `pipeline_id=7&job_id=8&ref=main&sha=abcdef12&user_id=${alice.id}&expires_in=600`,
        fields: { user_id: 'nullableId', pipeline_id: 'id', job_id: 'id', ref: 'text', sha: 'text', pipeline_url: 'nullableText' },
      },
      {
        method: 'PUT', path: `/api/v4/groups/${group.id}/packages/settings`, status: 200,
        valid: () => ({ package_download_events: 'enabled' }),
        form: () => 'package_download_events=inherit',
        fields: settings,
      },
      {
        method: 'PUT', path: `/api/v4/namespaces/${group.id}/packages/settings`, status: 200,
        valid: () => ({ package_audit_events: 'enabled' }),
        fields: settings,
      },
      {
        method: 'PUT', path: `/api/v4/projects/${project.id}/packages/cleanup_policy`, status: 200,
        valid: () => ({ enabled: true, cadence: '7d', keep_n_versions: 5, older_than_days: null, name_regex: null }),
        form: () => 'enabled=true&cadence=14d&keep_n_versions=3&older_than_days=&version_regex_keep=%5E1%5C.',
        fields: { enabled: 'boolean', cadence: 'fixed', keep_n_versions: 'count', older_than_days: 'count', name_regex: 'nullableText', next_run_at: 'nullableText' },
      },
      {
        method: 'POST', path: destinationsPath(group.id), status: 201,
        valid: () => ({ name: unique('siem'), destination_url: receiver.url, event_names: ['package_registry_package_published'], headers: [{ key: 'x-a', value: 'b' }], active: false }),
        form: () => `name=${unique('siem')}&url=${encodeURIComponent(receiver.url)}&event_names[]=package_registry_package_published`,
        fields: { name: 'text', url: 'text', secret: 'text', event_names: 'list', active: 'boolean' },
      },
      {
        method: 'PUT', path: `${destinationsPath(group.id)}/${destination.id}`, status: 200,
        valid: () => ({ name: unique('siem'), active: true }),
        fields: { name: 'text', url: 'text', secret: 'text', event_names: 'list', active: 'boolean' },
      },
      {
        method: 'POST', path: `${destinationsPath(group.id)}/${destination.id}/dead_letters/replay`, status: 200,
        valid: () => ({ seqs: [1, 2] }),
        fields: { seqs: 'list' },
      },
      {
        method: 'POST', path: '/api/v4/session', status: 201,
        valid: () => ({ login: 'alice', password: 'correct-horse-battery' }),
        fields: { login: 'text', password: 'text', token: 'text' },
      },
    );
    // Two users who are not members yet: the valid JSON and form requests add one each.
    for (const kind of ['groups', 'projects']) {
      const id = kind === 'groups' ? group.id : project.id;
      const users = [await newUser(), await newUser()];
      routes.push({
        method: 'POST', path: `/api/v4/${kind}/${id}/members`, status: 201,
        valid: () => ({ user_id: users[0], access_level: 20 }),
        form: () => `user_id=${users[1]}&access_level=10`,
        fields: { user_id: 'id', access_level: 'fixed', expires_at: 'nullableText' },
      });
    }
  });

  after(async () => {
    await trove?.stop();
    await receiver?.close();
  });

  const send = (route: BodyRoute, body: unknown, api: Api = world.root) => api.request(route.method, route.path, body);
  const sendForm = (route: BodyRoute, form: string, api: Api = world.root) =>
    api.request(route.method, route.path, form, { 'content-type': 'application/x-www-form-urlencoded' });
  const describeRequest = (route: BodyRoute, body: unknown, res: ApiResponse) =>
    `${route.method} ${route.path} ${JSON.stringify(body)?.slice(0, 80)}: ${res.status} ${res.text.slice(0, 200)}`;

  it('accepts a valid body on every route, as JSON and (where clients send one) form-encoded', async () => {
    for (const route of routes) {
      const body = route.valid();
      const res = await send(route, body);
      assert.equal(res.status, route.status, describeRequest(route, body, res));
      if (!route.form) continue;
      const form = route.form();
      const formRes = await sendForm(route, form);
      assert.equal(formRes.status, route.status, describeRequest(route, form, formRes));
    }
  });

  it('refuses a field of the wrong type, out of range or far too long with GitLab\'s 400, never a 500', async () => {
    for (const route of routes) {
      for (const [field, kind] of Object.entries(route.fields)) {
        for (const value of BAD[kind]) {
          const body = { ...route.valid(), [field]: value };
          const res = await send(route, body);
          assert.equal(res.status, 400, describeRequest(route, body, res));
          assert.match(res.body?.error ?? '', new RegExp(`^${field} (is invalid|does not have a valid value)$`), describeRequest(route, body, res));
        }
      }
    }
  });

  it('refuses a body that is not an object, and a __proto__ key in JSON or in a form, with 400', async () => {
    for (const route of routes) {
      for (const raw of ['[]', '"text"', '42', 'true', '{"__proto__": {"is_admin": 1}}', '{"constructor": {"prototype": {"is_admin": 1}}}']) {
        const res = await world.root.request(route.method, route.path, raw, { 'content-type': 'application/json' });
        assert.equal(res.status, 400, describeRequest(route, raw, res));
      }
      for (const form of ['__proto__[]=x&name=y', '__proto__=x', '__proto__[is_admin]=1&name=y']) {
        const res = await sendForm(route, form);
        assert.ok(res.status === 400 || (form === '__proto__[is_admin]=1&name=y' && res.status < 500), describeRequest(route, form, res));
      }
    }
    // A route that takes no fields still takes only an object (here: no alarm is open, 404).
    const acknowledge = '/api/v4/audit_events/integrity_alarm/acknowledge';
    assert.equal((await world.root.request('POST', acknowledge, '[]', { 'content-type': 'application/json' })).status, 400);
    assert.equal((await world.root.post(acknowledge, { note: 'ignored' })).status, 404);
  });

  it('refuses a JSON string with an unpaired surrogate with 400 on every route (npm in its own shape), and takes a paired one', async () => {
    for (const route of routes) {
      const raw = JSON.stringify({ ...route.valid(), name: 'x' }).replace('"name":"x"', '"name":"x\\ud800"');
      const res = await world.root.request(route.method, route.path, raw, { 'content-type': 'application/json' });
      assert.equal(res.status, 400, describeRequest(route, raw, res));
      assert.match(JSON.stringify(res.body), /unpaired surrogate/, describeRequest(route, raw, res));
    }
    const keyed = await world.root.request('POST', '/api/v4/user/personal_access_tokens', '{"name":"k","scopes":["api"],"\\udc00":1}', { 'content-type': 'application/json' });
    assert.equal(keyed.status, 400);
    const npm = await world.root.request('PUT', `/api/v4/projects/${projectId}/packages/npm/lone`, '{"name":"lone\\ud800","versions":{}}', { 'content-type': 'application/json' });
    assert.equal(npm.status, 400);
    assert.match(npm.body.error, /unpaired surrogate/);
    const emoji = await world.root.request('POST', '/api/v4/user/personal_access_tokens', '{"name":"rocket \\ud83d\\ude80","scopes":["api"]}', { 'content-type': 'application/json' });
    assert.equal(emoji.status, 201, emoji.text);
    assert.equal(emoji.body.name, 'rocket \u{1F680}');
  });

  it('does not coerce a body: a string is not a list, a number is not a text', async () => {
    const pat = routes.find((r) => r.path === '/api/v4/user/personal_access_tokens')!;
    assert.deepEqual((await send(pat, { name: 'one', scopes: 'api' })).body, { error: 'scopes is invalid' });
    const groups = routes.find((r) => r.path === '/api/v4/groups')!;
    assert.deepEqual((await send(groups, { name: 'num', path: 'num', description: 123 })).body, { error: 'description is invalid' });
    assert.deepEqual((await send(groups, { name: 'num', path: 'num', visibility: ['public'] })).body, { error: 'visibility does not have a valid value' });
    // What GitLab clients send as text stays valid: an access level or an id as digits.
    const member = routes.find((r) => r.path.endsWith(`/members/${alice.id}`))!;
    assert.equal((await send(member, { access_level: '20' })).status, 200);
    assert.deepEqual((await send(member, { access_level: 35 })).body, { error: 'access_level does not have a valid value' });
    assert.deepEqual((await send(member, {})).body, { error: 'access_level is missing' });
  });

  it('authenticates a write before reading its body: 401 without a credential, 403 with a read-only token', async () => {
    const readOnly = world.root.as({ 'PRIVATE-TOKEN': (await world.token(alice, 'read-only', ['read_api'])).token });
    const anonymous = world.root.as({});
    for (const route of routes.filter((r) => !r.path.endsWith('/session'))) {
      const body = { ...route.valid(), [Object.keys(route.fields)[0]!]: {} };
      assert.equal((await send(route, body, anonymous)).status, 401, `${route.method} ${route.path}`);
      assert.equal((await send(route, body, readOnly)).status, 403, `${route.method} ${route.path}`);
    }
  });

  it('answers 404, not a database error, to an id in the URL beyond any row', async () => {
    const big = '99999999999999999999';
    const group = (await world.root.get('/api/v4/groups?search=acme')).body[0].id;
    for (const [method, path] of [
      ['GET', `/api/v4/groups/${big}`],
      ['GET', `/api/v4/projects/${big}`],
      ['GET', `/api/v4/users/${big}`],
      ['PUT', `/api/v4/groups/${group}/members/${big}`],
      ['DELETE', `/api/v4/groups/${group}/members/${big}`],
      ['GET', `/api/v4/personal_access_tokens/${big}`],
      ['DELETE', `/api/v4/projects/${projectId}/packages/${big}`],
      ['PUT', `/api/v4/namespaces/${big}/packages/settings`],
      ['DELETE', `/api/v4/groups/${group}/deploy_tokens/${big}`],
      ['GET', `${destinationsPath()}/${big}`],
    ]) {
      const res = await world.root.request(method!, path!, method === 'PUT' ? { access_level: 30 } : undefined);
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
    }
  });

  it('declares the query of the cleanup run too', async () => {
    const run = `/api/v4/projects/${projectId}/packages/cleanup_policy/run`;
    for (const value of ['maybe', '__proto__', LONG.slice(0, 1000)]) {
      assert.deepEqual((await world.root.post(`${run}?dry_run=${value}`)).body, { error: 'dry_run does not have a valid value' });
    }
    assert.equal((await world.root.post(`${run}?dry_run=true`)).status, 200);
  });
});

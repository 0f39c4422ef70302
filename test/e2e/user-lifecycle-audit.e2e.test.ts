import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, deployToken, privateToken } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { allEvents, jsonlRecords, names, publishOk } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// docs/architecture.md#what-is-recorded, docs/architecture.md#scope-and-visibility: accounts are administered with GitLab's user endpoints, every change is audited
// on the subject user, a user reads their own events, and the rules keep the instance administrable.

const PASSWORD = 'correct-horse-battery';
const instanceEvents = '/api/v4/audit_events';
const userEvents = (user: { id: number }) => `/api/v4/users/${user.id}/audit_events`;

/** Signs in to the web UI; returns the session cookie and its CSRF token. */
async function signIn(baseUrl: string, body: Record<string, string>): Promise<{ status: number; cookie: string; csrf: string }> {
  const res = await fetch(`${baseUrl}/api/v4/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { csrf_token?: string };
  return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '', csrf: json.csrf_token ?? '' };
}

// One Trove for the whole file: each part uses users and groups of its own.
let trove: RunningTrove;
let world: World;

before(async () => {
  trove = await startTrove();
  world = new World(trove);
});

after(async () => {
  await trove?.stop();
});

describe('user accounts: GitLab endpoints, audited on the user', () => {
  let rootId: number;
  let alice: TestUser;
  let bob: TestUser;

  before(async () => {
    rootId = (await world.root.expect(200, 'GET', '/api/v4/user')).id;
    alice = await world.user('alice');
    bob = await world.user('bob');
  });

  it('records user_created: root by the bootstrap, others by the administrator who created them', async () => {
    const created = (await allEvents(world.root, instanceEvents, '&event_name=user_created')).reverse();
    assert.deepEqual(created.map((e) => e.details.target_details).slice(0, 3), ['root', 'alice', 'bob']);
    const [root, aliceCreated] = created;
    assert.deepEqual([root.actor.type, root.actor.name, root.via, root.entity_type, root.entity_id], ['system', 'Trove bootstrap', 'system', 'User', rootId]);
    assert.deepEqual([aliceCreated.actor.type, aliceCreated.actor.user_id, aliceCreated.via, aliceCreated.entity_type, aliceCreated.entity_id], ['personal_access_token', rootId, 'api', 'User', alice.id]);
    assert.deepEqual(aliceCreated.changes.username, { from: null, to: 'alice' });
    assert.deepEqual(aliceCreated.changes.admin, { from: null, to: false });
    assert.doesNotMatch(JSON.stringify(created), new RegExp(`${PASSWORD}|scrypt`), 'no password or hash in the log');
  });

  it('PUT /users/:id changes name, email and password (recorded as changed, never the value) and the admin flag', async () => {
    const oldSession = await signIn(trove.baseUrl, { login: 'alice', password: PASSWORD });
    assert.equal(oldSession.status, 201);
    const sessionStatus = () => fetch(`${trove.baseUrl}/api/v4/session`, { headers: { cookie: oldSession.cookie } }).then((r) => r.status);
    assert.equal(await sessionStatus(), 200);
    const updated = await world.root.expect(200, 'PUT', `/api/v4/users/${alice.id}`, { name: 'Alice Liddell', email: 'alice@wonderland.example', password: 'new-password-42' });
    assert.deepEqual([updated.name, updated.email, updated.is_admin], ['Alice Liddell', 'alice@wonderland.example', false]);
    const event = await latestEvent(world.root, instanceEvents, 'user_updated');
    assert.deepEqual(event.changes, {
      email: { from: 'alice@example.com', to: 'alice@wonderland.example' },
      name: { from: 'alice', to: 'Alice Liddell' },
      password: { from: '[REDACTED]', to: '[REDACTED]' },
    });
    assert.deepEqual([event.entity_type, event.entity_id, event.details.target_type, event.actor.user_id], ['User', alice.id, 'User', rootId]);
    assert.doesNotMatch(JSON.stringify(event), /new-password-42|scrypt/);
    assert.equal((await signIn(trove.baseUrl, { login: 'alice', password: 'new-password-42' })).status, 201, 'the new password works');
    assert.equal(await sessionStatus(), 401, 'a new password ends the sessions signed in with the old one');

    const granted = await world.root.expect(200, 'PUT', `/api/v4/users/${alice.id}`, { admin: true });
    assert.equal(granted.is_admin, true);
    const grant = await latestEvent(world.root, instanceEvents, 'user_admin_granted');
    assert.deepEqual([grant.entity_id, grant.changes], [alice.id, { admin: { from: false, to: true } }]);
    assert.equal((await alice.api.get('/api/v4/audit_events')).status, 200, 'alice is an administrator now');
    await world.root.expect(200, 'PUT', `/api/v4/users/${alice.id}`, { admin: false });
    const revoke = await latestEvent(world.root, instanceEvents, 'user_admin_revoked');
    assert.deepEqual([revoke.entity_id, revoke.changes], [alice.id, { admin: { from: true, to: false } }]);
    assert.equal((await alice.api.get('/api/v4/audit_events')).status, 403);

    // Only administrators administer accounts.
    assert.equal((await bob.api.put(`/api/v4/users/${alice.id}`, { name: 'x' })).status, 403);
    assert.equal((await bob.api.put(`/api/v4/users/${bob.id}`, { admin: true })).status, 403);
    assert.equal((await world.root.put('/api/v4/users/999999', { name: 'x' })).status, 404);
  });

  it('a username change keeps the rules of new users and renames the personal namespace and its projects, recorded', async () => {
    const group = await world.group('acme');
    await world.root.expect(201, 'POST', `/api/v4/groups/${group.id}/deploy_tokens`, { name: 'ci', scopes: ['read_package_registry'], username: 'ci-bot' });
    for (const taken of ['ROOT', 'Acme', 'CI-bot', 'BOB']) {
      const res = await world.root.put(`/api/v4/users/${alice.id}`, { username: taken });
      assert.equal(res.status, 409, `${taken}: ${res.text}`);
      assert.match(res.body.message, /has already been taken/);
    }
    assert.equal((await world.root.put(`/api/v4/users/${alice.id}`, { email: 'BOB@example.com' })).status, 409, 'emails are unique regardless of case');
    assert.equal((await world.root.put(`/api/v4/users/${alice.id}`, { username: 'no spaces' })).status, 400);

    const project = await alice.api.expect(201, 'POST', '/api/v4/projects', { name: 'tools', path: 'tools' });
    const renamed = await world.root.expect(200, 'PUT', `/api/v4/users/${alice.id}`, { username: 'alicia' });
    assert.equal(renamed.username, 'alicia');
    assert.equal((await alice.api.expect(200, 'GET', `/api/v4/projects/${project.id}`)).path_with_namespace, 'alicia/tools');
    assert.equal((await alice.api.get(`/api/v4/projects/${encodeURIComponent('alicia/tools')}`)).status, 200);
    const event = await latestEvent(world.root, instanceEvents, 'user_updated');
    assert.deepEqual(event.changes, {
      username: { from: 'alice', to: 'alicia' },
      namespace_path: { from: 'alice', to: 'alicia' },
      project_paths: { from: ['alice/tools'], to: ['alicia/tools'] },
    });
    // A case change of one's own name is no clash.
    await world.root.expect(200, 'PUT', `/api/v4/users/${alice.id}`, { username: 'Alicia' });
    await world.root.expect(200, 'PUT', `/api/v4/users/${alice.id}`, { username: 'alice' });
  });

  it('block and unblock answer 201 true; a blocked user\'s tokens and sessions stop working at once and work again after unblock', async () => {
    const session = await signIn(trove.baseUrl, { login: 'bob', password: PASSWORD });
    assert.equal(session.status, 201);
    const viaSession = () => fetch(`${trove.baseUrl}/api/v4/user`, { headers: { cookie: session.cookie } }).then((r) => r.status);
    assert.equal(await viaSession(), 200);
    const group = await world.group('ci-acme');
    const project = await world.project('app', group.id);
    await world.addMember('projects', project.id, bob, 30);
    const job = await world.jobToken(project.id, { pipeline_id: 1, job_id: 2, ref: 'main', sha: 'abcdef12', user_id: bob.id });
    const viaJobToken = () => fetch(`${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/nothing-here`, { headers: { 'job-token': job.token } }).then((r) => r.status);
    assert.equal(await viaJobToken(), 404, 'the job token is accepted (the package does not exist)');

    const blocked = await world.root.post(`/api/v4/users/${bob.id}/block`);
    assert.deepEqual([blocked.status, blocked.body], [201, true]);
    assert.equal((await bob.api.get('/api/v4/user')).status, 401, 'token refused');
    assert.equal(await viaSession(), 401, 'session ended');
    assert.equal(await viaJobToken(), 401, 'job token refused');
    assert.equal((await signIn(trove.baseUrl, { login: 'bob', password: PASSWORD })).status, 401, 'no new sign-in');
    assert.equal((await world.root.expect(200, 'GET', `/api/v4/users/${bob.id}`)).state, 'blocked');
    const event = await latestEvent(world.root, instanceEvents, 'user_blocked');
    assert.deepEqual([event.entity_type, event.entity_id, event.changes], ['User', bob.id, { state: { from: 'active', to: 'blocked' } }]);
    // Blocking again changes nothing and records nothing.
    assert.deepEqual((await world.root.post(`/api/v4/users/${bob.id}/block`)).body, true);
    assert.equal((await allEvents(world.root, instanceEvents, '&event_name=user_blocked')).length, 1);

    const unblocked = await world.root.post(`/api/v4/users/${bob.id}/unblock`);
    assert.deepEqual([unblocked.status, unblocked.body], [201, true]);
    assert.equal((await bob.api.get('/api/v4/user')).status, 200);
    assert.equal(await viaJobToken(), 404);
    const back = await latestEvent(world.root, instanceEvents, 'user_unblocked');
    assert.deepEqual([back.entity_id, back.changes], [bob.id, { state: { from: 'blocked', to: 'active' } }]);
    assert.equal((await bob.api.post(`/api/v4/users/${alice.id}/block`)).status, 403, 'only administrators block');
  });

  it('an administrator cannot block, delete or demote themself; two administrators demoting each other leave one', async () => {
    for (const [method, path, body] of [
      ['POST', `/api/v4/users/${rootId}/block`, undefined],
      ['DELETE', `/api/v4/users/${rootId}`, undefined],
      ['PUT', `/api/v4/users/${rootId}`, { admin: false }],
    ] as const) {
      const res = await world.root.request(method, path, body);
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.match(res.body.message, /^403 Forbidden - an administrator cannot .* themself$/);
    }
    const ops = await world.user('ops');
    await world.root.expect(200, 'PUT', `/api/v4/users/${ops.id}`, { admin: true });
    const [a, b] = await Promise.all([world.root.put(`/api/v4/users/${ops.id}`, { admin: false }), ops.api.put(`/api/v4/users/${rootId}`, { admin: false })]);
    assert.deepEqual([a.status, b.status].filter((s) => s === 200), [200], `exactly one succeeds: ${a.text} ${b.text}`);
    const loser = a.status === 200 ? b : a;
    assert.ok(loser.status === 403 || (loser.status === 409 && /last active administrator/.test(loser.body.message)), loser.text);
    const admins = (await (a.status === 200 ? world.root : ops.api).expect(200, 'GET', '/api/v4/users?per_page=100')).filter((u: any) => u.is_admin);
    assert.equal(admins.length, 1);
    // Restore root for the tests that follow.
    if (b.status === 200) await ops.api.expect(200, 'PUT', `/api/v4/users/${rootId}`, { admin: true });
  });

  it('DELETE /users/:id refuses a sole group owner and a user with projects (409), else revokes tokens and removes memberships, recorded', async () => {
    const carol = await world.user('carol');
    const solo = await carol.api.expect(201, 'POST', '/api/v4/groups', { name: 'carols', path: 'carols' });
    const refused = await world.root.delete(`/api/v4/users/${carol.id}`);
    assert.equal(refused.status, 409, refused.text);
    assert.match(refused.body.message, /carol is the only owner of carols; add another owner or delete the group first/);
    await world.addMember('groups', solo.id, bob, 50);

    const project = await carol.api.expect(201, 'POST', '/api/v4/projects', { name: 'scratch', path: 'scratch' });
    const withProject = await world.root.delete(`/api/v4/users/${carol.id}`);
    assert.equal(withProject.status, 409, withProject.text);
    assert.match(withProject.body.message, /carol still has projects in their namespace \(carol\/scratch\); transfer or delete them first/);
    assert.ok(project.id);

    const dave = await world.user('dave');
    const second = await world.token(dave, 'laptop', ['read_api']);
    const group = await world.group('shared');
    const sharedProject = await world.project('lib', group.id);
    await world.addMember('groups', group.id, dave, 30);
    await world.addMember('projects', sharedProject.id, dave, 20);
    const session = await signIn(trove.baseUrl, { login: 'dave', password: PASSWORD });

    const deleted = await world.root.delete(`/api/v4/users/${dave.id}`);
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal((await dave.api.get('/api/v4/user')).status, 401);
    assert.equal((await new Api(trove.baseUrl, privateToken(second.token)).get('/api/v4/user')).status, 401);
    assert.equal((await fetch(`${trove.baseUrl}/api/v4/user`, { headers: { cookie: session.cookie } })).status, 401);
    assert.equal((await signIn(trove.baseUrl, { login: 'dave', password: PASSWORD })).status, 401);
    const refusal = await latestEvent(world.root, instanceEvents, 'authentication_failed');
    assert.deepEqual([refusal.actor.username, refusal.reason], ['dave', 'user deleted'], 'the refusal says why: the user is deleted, not blocked');
    assert.equal((await world.root.get(`/api/v4/users/${dave.id}`)).status, 404);
    assert.equal((await world.root.delete(`/api/v4/users/${dave.id}`)).status, 404);
    const users = await world.root.expect(200, 'GET', '/api/v4/users?per_page=100');
    assert.ok(!users.some((u: any) => u.id === dave.id), 'not listed');
    const members = await world.root.expect(200, 'GET', `/api/v4/groups/${group.id}/members`);
    assert.ok(!members.some((m: any) => m.id === dave.id), 'membership removed');
    const tokens = await world.root.expect(200, 'GET', `/api/v4/personal_access_tokens?user_id=${dave.id}`);
    assert.deepEqual(tokens.map((t: any) => t.revoked), [true, true]);
    // The name stays taken: the log keeps naming the deleted user.
    assert.equal((await world.root.post('/api/v4/users', { username: 'dave', email: 'dave2@example.com', password: PASSWORD })).status, 409);

    const event = await latestEvent(world.root, userEvents(dave), 'user_deleted');
    assert.ok((await allEvents(world.root, userEvents(dave))).some((e) => e.event_name === 'user_created'), "administrators still read a deleted user's history");
    assert.deepEqual([event.entity_type, event.entity_id, event.details.target_details], ['User', dave.id, 'dave']);
    assert.deepEqual(event.changes.state, { from: 'active', to: 'deleted' });
    assert.deepEqual(event.changes.personal_access_tokens_revoked.from.map((t: any) => t.name), ['dave-token', 'laptop']);
    assert.deepEqual(event.changes.memberships.from, [
      { source_type: 'Namespace', full_path: 'shared', access_level: 30 },
      { source_type: 'Project', full_path: 'shared/lib', access_level: 20 },
    ]);
  });

  it('records user_signed_in for password and token sign-ins (via web), not for failed ones', async () => {
    const before = (await allEvents(world.root, userEvents(bob), '&event_name=user_signed_in')).length;
    assert.equal((await signIn(trove.baseUrl, { login: 'bob', password: 'wrong-password' })).status, 401);
    assert.equal((await signIn(trove.baseUrl, { login: 'bob', password: PASSWORD })).status, 201);
    assert.equal((await signIn(trove.baseUrl, { token: bob.token })).status, 201);
    const events = await allEvents(world.root, userEvents(bob), '&event_name=user_signed_in');
    assert.equal(events.length, before + 2);
    const [withToken, withPassword] = events;
    assert.deepEqual([withPassword.actor.type, withPassword.actor.user_id, withPassword.via, withPassword.entity_type, withPassword.entity_id], ['user', bob.id, 'web', 'User', bob.id]);
    assert.deepEqual([withToken.actor.type, withToken.actor.token_name, withToken.via], ['personal_access_token', 'bob-token', 'web']);
  });
});

describe("a user's own audit events", () => {
  let erin: TestUser;
  let frank: TestUser;

  before(async () => {
    [erin, frank] = await Promise.all([world.user('erin'), world.user('frank')]);
    await world.root.expect(200, 'PUT', `/api/v4/users/${erin.id}`, { name: 'Erin E.' });
    await erin.api.expect(201, 'POST', '/api/v4/user/personal_access_tokens', { name: 'second', scopes: ['read_api'] });
    await erin.api.expect(200, 'PUT', '/api/v4/namespaces/erin/packages/settings', { package_audit_events: 'enabled' });
    assert.equal((await signIn(trove.baseUrl, { login: 'erin', password: PASSWORD })).status, 201);
  });

  it('lists account, sign-in, token and namespace-settings events to that user and to administrators, 404 to others', async () => {
    const own = await allEvents(erin.api, userEvents(erin));
    assert.ok(own.every((e) => e.entity_type === 'User' && e.entity_id === erin.id));
    for (const name of ['user_created', 'user_updated', 'personal_access_token_created', 'package_registry_audit_settings_updated', 'user_signed_in']) {
      assert.ok(names(own).includes(name), `${name} in ${names(own)}`);
    }
    assert.ok(!own.some((e) => e.details.target_details === 'frank'), "not frank's events");
    assert.deepEqual(await allEvents(world.root, userEvents(erin)), own, 'administrators see the same');
    for (const [who, path] of [[frank.api, userEvents(erin)], [erin.api, userEvents(frank)], [erin.api, '/api/v4/users/999999/audit_events']] as const) {
      const res = await who.get(path);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(res.body.message, '404 User Not Found');
    }
    assert.equal((await new Api(trove.baseUrl).get(userEvents(erin))).status, 401);
  });

  it('has the filters, pagination and headers of the other views, single events and exports', async () => {
    const page = await erin.api.get(`${userEvents(erin)}?per_page=1&page=2`);
    assert.equal(page.status, 200);
    assert.equal(page.body.length, 1);
    const total = Number(page.headers.get('x-total'));
    assert.ok(total >= 4);
    assert.equal(page.headers.get('x-page'), '2');
    assert.equal(page.headers.get('x-total-pages'), String(total));
    assert.match(page.headers.get('link') ?? '', /rel="next"/);
    const filtered = await erin.api.expect(200, 'GET', `${userEvents(erin)}?event_name=user_updated`);
    assert.deepEqual(names(filtered), ['user_updated']);
    const keyset = await erin.api.get(`${userEvents(erin)}?pagination=keyset&per_page=2`);
    assert.equal(keyset.body.length, 2);
    assert.match(keyset.headers.get('link') ?? '', /cursor=/);

    const one = await erin.api.expect(200, 'GET', `${userEvents(erin)}/${filtered[0].id}`);
    assert.equal(one.uuid, filtered[0].uuid);
    const franks = await latestEvent(world.root, userEvents(frank), 'user_created');
    assert.equal((await erin.api.get(`${userEvents(erin)}/${franks.id}`)).status, 404, 'an event of another user is not in this view');
    assert.equal((await frank.api.get(`${userEvents(erin)}/${filtered[0].id}`)).status, 404);

    const exported = await erin.api.get(`${userEvents(erin)}/export?format=jsonl`);
    assert.equal(exported.status, 200, exported.text);
    const records = jsonlRecords(exported.text);
    assert.ok(records.length >= total);
    assert.ok(records.every((r: any) => r.audit_export || r.entity_id === erin.id));
    const exportEvent = await latestEvent(erin.api, userEvents(erin), 'audit_events_exported');
    assert.deepEqual([exportEvent.entity_type, exportEvent.entity_id, exportEvent.actor.user_id], ['User', erin.id, erin.id]);
    assert.equal((await frank.api.get(`${userEvents(erin)}/export?format=jsonl`)).status, 404);
  });
});

describe('deploy tokens', () => {
  it('show last_used_at: null until used, then the time of a publish with it', async () => {
    const group = await world.group('tokens-acme');
    const project = await world.project('web', group.id);
    const token = await world.deployToken('projects', project.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
    const listed = async () => (await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/deploy_tokens`))[0];
    const fresh = await listed();
    assert.equal(fresh.last_used_at, null);
    assert.ok(fresh.created_at);
    await publishOk(new Api(trove.baseUrl, deployToken(token.token)), project.id, 'ui-kit', '1.0.0');
    const used = await listed();
    assert.ok(used.last_used_at && used.last_used_at >= fresh.created_at, JSON.stringify(used));
    assert.ok(Date.parse(used.last_used_at) <= Date.now());
  });
});

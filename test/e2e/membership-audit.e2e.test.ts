import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allEvents } from '../support/audit-e2e.js';
import { openFaultInjector, type FaultInjector } from '../support/fault-injection.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// docs/architecture.md#what-is-recorded, docs/architecture.md#scope-and-visibility: every membership change is recorded, in the transaction that makes it, where the
// membership is (a group's on the group, a project's in the project's scope), with the member and
// the access level and expiry before and after. Members may expire (GitLab's expires_at): the API
// takes and returns it, and an expired membership grants nothing. A refused change changes nothing
// and records nothing.

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const MEMBER_KEYS = ['access_level', 'avatar_url', 'created_at', 'expires_at', 'id', 'name', 'state', 'username', 'web_url'];

describe('membership changes are audited', () => {
  let trove: RunningTrove;
  let world: World;
  let db: FaultInjector;
  let owner: TestUser;
  let maintainer: TestUser;
  let dev: TestUser;
  let acme: { id: number };
  let team: { id: number };
  let app: { id: number };

  const memberEvents = (kind: 'groups' | 'projects', id: number) =>
    allEvents(world.root, `/api/v4/${kind}/${id}/audit_events`, '&event_name=member_added&event_name=member_access_level_changed&event_name=member_removed');

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    owner = await world.user('olga');
    maintainer = await world.user('mike');
    dev = await world.user('dora');
    acme = await owner.api.expect(201, 'POST', '/api/v4/groups', { name: 'acme', path: 'acme' });
    team = await owner.api.expect(201, 'POST', '/api/v4/groups', { name: 'team', path: 'team', parent_id: acme.id });
    app = await owner.api.expect(201, 'POST', '/api/v4/projects', { name: 'app', namespace_id: team.id });
    await owner.api.expect(201, 'POST', `/api/v4/groups/${acme.id}/members`, { user_id: maintainer.id, access_level: 40 });
    db = await openFaultInjector(trove);
  });

  after(async () => {
    await db?.close();
    await trove?.stop();
  });

  it("records the creator's owner membership of a new group, on the group, by the creator", async () => {
    const [added] = await allEvents(world.root, `/api/v4/groups/${team.id}/audit_events`, '&event_name=member_added');
    assert.equal(added.entity_type, 'Group');
    assert.equal(added.entity_id, team.id);
    assert.equal(added.actor.username, 'olga');
    assert.deepEqual([added.details.target_id, added.details.target_type, added.details.target_details], [owner.id, 'User', 'olga']);
    assert.deepEqual(added.changes, { access_level: { from: null, to: 50 }, expires_at: { from: null, to: null } });
  });

  it('records adding, changing and removing a group member with levels and expiry before and after', async () => {
    const expiry = inDays(30);
    const created = await maintainer.api.expect(201, 'POST', `/api/v4/groups/${team.id}/members`, { user_id: dev.id, access_level: 30, expires_at: expiry });
    assert.deepEqual(Object.keys(created).sort(), MEMBER_KEYS);
    assert.deepEqual([created.id, created.username, created.access_level, created.expires_at], [dev.id, 'dora', 30, expiry]);
    const changed = await maintainer.api.expect(200, 'PUT', `/api/v4/groups/${team.id}/members/${dev.id}`, { access_level: 40, expires_at: '' });
    assert.deepEqual([changed.access_level, changed.expires_at], [40, null]);
    await maintainer.api.expect(204, 'DELETE', `/api/v4/groups/${team.id}/members/${dev.id}`);

    const events = (await memberEvents('groups', team.id)).filter((e) => e.details.target_id === dev.id).reverse();
    assert.deepEqual(events.map((e) => e.event_name), ['member_added', 'member_access_level_changed', 'member_removed']);
    assert.deepEqual(events.map((e) => e.changes), [
      { access_level: { from: null, to: 30 }, expires_at: { from: null, to: expiry } },
      { access_level: { from: 30, to: 40 }, expires_at: { from: expiry, to: null } },
      { access_level: { from: 40, to: null }, expires_at: { from: null, to: null } },
    ]);
    for (const event of events) {
      assert.deepEqual([event.entity_type, event.entity_id, event.details.entity_path], ['Group', team.id, 'acme/team']);
      assert.deepEqual([event.actor.username, event.details.target_details, event.outcome], ['mike', 'dora', 'success']);
    }
  });

  it("stores a project's membership events in the project's scope (its group; a personal project itself)", async () => {
    await owner.api.expect(201, 'POST', `/api/v4/projects/${app.id}/members`, { user_id: dev.id, access_level: 20 });
    const [added] = await memberEvents('projects', app.id);
    assert.deepEqual([added.event_name, added.entity_type, added.entity_id], ['member_added', 'Group', team.id]);
    assert.deepEqual(added.project, { id: app.id, full_path: 'acme/team/app' });

    const personal = await dev.api.expect(201, 'POST', '/api/v4/projects', { name: 'mine' });
    await dev.api.expect(201, 'POST', `/api/v4/projects/${personal.id}/members`, { user_id: owner.id, access_level: 30 });
    const [own] = await memberEvents('projects', personal.id);
    assert.deepEqual([own.event_name, own.entity_type, own.entity_id, own.details.target_details], ['member_added', 'Project', personal.id, 'olga']);
  });

  it('answers GET members/:user_id and members/all (inherited, highest level, GitLab shape)', async () => {
    const direct = await owner.api.expect(200, 'GET', `/api/v4/groups/${acme.id}/members/${maintainer.id}`);
    assert.deepEqual(Object.keys(direct).sort(), MEMBER_KEYS);
    assert.equal(direct.access_level, 40);
    assert.equal((await owner.api.get(`/api/v4/groups/${team.id}/members/${maintainer.id}`)).status, 404, 'inherited is not direct');
    const all = await owner.api.expect(200, 'GET', `/api/v4/projects/${app.id}/members/all`);
    assert.deepEqual(
      all.map((m: any) => [m.username, m.access_level]),
      [['olga', 50], ['mike', 40], ['dora', 20]],
    );
    for (const member of all) assert.deepEqual(Object.keys(member).sort(), MEMBER_KEYS);
    const one = await owner.api.expect(200, 'GET', `/api/v4/projects/${app.id}/members/all/${maintainer.id}`);
    assert.equal(one.access_level, 40);
  });

  it('refuses an expiry in the past and a malformed one', async () => {
    const past = await owner.api.post(`/api/v4/groups/${acme.id}/members`, { user_id: dev.id, access_level: 10, expires_at: '2001-01-01' });
    assert.equal(past.status, 400);
    const malformed = await owner.api.post(`/api/v4/groups/${acme.id}/members`, { user_id: dev.id, access_level: 10, expires_at: 'tomorrow' });
    assert.equal(malformed.status, 400);
    assert.equal((await owner.api.get(`/api/v4/groups/${acme.id}/members/${dev.id}`)).status, 404);
  });

  it('an expired membership grants nothing', async () => {
    const reader = await world.user('rita');
    const hidden = await owner.api.expect(201, 'POST', '/api/v4/groups', { name: 'vault', path: 'vault' });
    const vaultApp = await owner.api.expect(201, 'POST', '/api/v4/projects', { name: 'secret', namespace_id: hidden.id });
    await owner.api.expect(201, 'POST', `/api/v4/groups/${hidden.id}/members`, { user_id: reader.id, access_level: 20, expires_at: inDays(1) });
    await reader.api.expect(200, 'GET', `/api/v4/projects/${vaultApp.id}`);
    await reader.api.expect(200, 'GET', `/api/v4/groups/${hidden.id}`);
    // The date passes: the row now says it expired yesterday.
    await db.execute(`UPDATE members SET expires_at = '${inDays(-1)}' WHERE user_id = ${reader.id}`);
    assert.equal((await reader.api.get(`/api/v4/projects/${vaultApp.id}`)).status, 404);
    assert.equal((await reader.api.get(`/api/v4/groups/${hidden.id}`)).status, 404);
    assert.equal((await reader.api.get(`/api/v4/projects/${vaultApp.id}/packages`)).status, 404);
    const listed = await owner.api.expect(200, 'GET', `/api/v4/groups/${hidden.id}/members`);
    assert.equal(listed.find((m: any) => m.id === reader.id).expires_at, inDays(-1), 'listed with its expiry');
    const all = await owner.api.expect(200, 'GET', `/api/v4/groups/${hidden.id}/members/all`);
    assert.equal(all.find((m: any) => m.id === reader.id), undefined, 'not an effective member');
  });

  it('a membership change whose event cannot be written does not happen (one transaction)', async () => {
    const fault = { name: 'no_member_events', table: 'audit_events' as const, when: "NEW.event_name IN ('member_added', 'member_access_level_changed')" };
    await db.failInserts(fault);
    try {
      assert.equal((await owner.api.post(`/api/v4/groups/${acme.id}/members`, { user_id: dev.id, access_level: 10 })).status, 500);
      assert.equal((await owner.api.put(`/api/v4/groups/${acme.id}/members/${maintainer.id}`, { access_level: 30 })).status, 500);
      assert.equal((await owner.api.post('/api/v4/groups', { name: 'never', path: 'never' })).status, 500, "the creator's membership fails the group");
    } finally {
      await db.removeFault(fault);
    }
    assert.equal((await owner.api.get(`/api/v4/groups/${acme.id}/members/${dev.id}`)).status, 404);
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/groups/${acme.id}/members/${maintainer.id}`)).access_level, 40);
    assert.equal((await world.root.get('/api/v4/groups/never')).status, 404);
  });

  it('a refused change (last owner, a level above your own) changes nothing; each refusal is recorded as member_change_denied', async () => {
    const deniedBefore = (await allEvents(world.root, `/api/v4/groups/${acme.id}/audit_events`, '&event_name=member_change_denied')).length;
    const before = await memberEvents('groups', acme.id);
    const demoteLast = await owner.api.put(`/api/v4/groups/${acme.id}/members/${owner.id}`, { access_level: 40 });
    assert.equal(demoteLast.status, 403);
    const removeLast = await owner.api.delete(`/api/v4/groups/${acme.id}/members/${owner.id}`);
    assert.equal(removeLast.status, 403);
    const above = await maintainer.api.post(`/api/v4/groups/${acme.id}/members`, { user_id: dev.id, access_level: 50 });
    assert.equal(above.status, 403);
    const promoteSelf = await maintainer.api.put(`/api/v4/groups/${acme.id}/members/${maintainer.id}`, { access_level: 50 });
    assert.equal(promoteSelf.status, 403);
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/groups/${acme.id}/members/${owner.id}`)).access_level, 50);
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/groups/${acme.id}/members/${maintainer.id}`)).access_level, 40);
    assert.equal((await owner.api.get(`/api/v4/groups/${acme.id}/members/${dev.id}`)).status, 404);
    assert.deepEqual(await memberEvents('groups', acme.id), before);
    const denied = (await allEvents(world.root, `/api/v4/groups/${acme.id}/audit_events`, '&event_name=member_change_denied')).slice(deniedBefore);
    const seen = denied.map((e: any) => [e.actor.username, e.details.target_details, e.changes.access_level.to, e.outcome]);
    assert.deepEqual(seen.sort(), [
      ['mike', 'dora', 50, 'failure'],
      ['mike', 'mike', 50, 'failure'],
      ['olga', 'olga', null, 'failure'],
      ['olga', 'olga', 40, 'failure'],
    ]);
    assert.ok(denied.every((e: any) => /403 Forbidden/.test(e.reason)), 'each says why');
  });
});

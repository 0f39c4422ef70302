import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { latestEvent } from '../support/audit.js';
import { openFaultInjector } from '../support/fault-injection.js';
import { createDestination, startStreamingTrove } from '../support/streaming.js';
import type { RunningTrove } from '../support/trove-process.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { World, type TestUser } from '../support/world.js';

// docs/architecture.md#what-is-recorded: group and project lifecycle through GitLab's endpoints (create, change, path change,
// visibility, transfer, delete), each recorded in the transaction that makes the change, on the
// group (a project's in its scope, docs/architecture.md#scope-and-visibility). Deleting takes the packages with it, each version
// through the package service with its own event.

const encoded = (path: string) => encodeURIComponent(path);

describe('group and project lifecycle is audited', () => {
  let trove: RunningTrove;
  let receiver: WebhookReceiver;
  let world: World;
  let owner: TestUser;
  let maintainer: TestUser;

  const instanceEvents = (names: string[]) => allEvents(world.root, '/api/v4/audit_events', names.map((n) => `&event_name=${n}`).join(''));

  before(async () => {
    trove = await startStreamingTrove();
    receiver = await WebhookReceiver.start();
    world = new World(trove);
    owner = await world.user('olga');
    maintainer = await world.user('mike');
  });

  after(async () => {
    await trove?.stop();
    await receiver?.close();
  });

  async function tree(root: string) {
    const group = await owner.api.expect(201, 'POST', '/api/v4/groups', { name: root, path: root });
    const sub = await owner.api.expect(201, 'POST', '/api/v4/groups', { name: 'sub', path: 'sub', parent_id: group.id });
    const project = await owner.api.expect(201, 'POST', '/api/v4/projects', { name: 'app', namespace_id: sub.id });
    await owner.api.expect(201, 'POST', `/api/v4/groups/${group.id}/members`, { user_id: maintainer.id, access_level: 40 });
    return { group, sub, project };
  }

  it('records group_created on the group and project_created in the project scope', async () => {
    const { group, sub, project } = await tree('made');
    const created = await latestEvent(world.root, `/api/v4/groups/${group.id}/audit_events`, 'group_created');
    assert.deepEqual([created.entity_type, created.entity_id, created.details.target_details, created.actor.username], ['Group', group.id, 'made', 'olga']);
    const made = await latestEvent(world.root, `/api/v4/groups/${sub.id}/audit_events`, 'project_created');
    assert.deepEqual([made.entity_id, made.project, made.details.target_id], [sub.id, { id: project.id, full_path: 'made/sub/app' }, project.id]);
    const personal = await owner.api.expect(201, 'POST', '/api/v4/projects', { name: 'own' });
    const own = await latestEvent(world.root, `/api/v4/projects/${personal.id}/audit_events`, 'project_created');
    assert.deepEqual([own.entity_type, own.entity_id], ['Project', personal.id]);
  });

  it('PUT /groups/:id: owners only; a path change moves everything below; visibility has its own event', async () => {
    const { group, sub, project } = await tree('old');
    await owner.api.expect(201, 'POST', '/api/v4/groups', { name: 'taken', path: 'taken' });
    assert.equal((await maintainer.api.put(`/api/v4/groups/${group.id}`, { name: 'x' })).status, 403);
    assert.equal((await owner.api.put(`/api/v4/groups/${group.id}`, { path: 'TAKEN' })).status, 400, 'case-insensitive uniqueness');
    const updated = await owner.api.expect(200, 'PUT', `/api/v4/groups/${group.id}`, { name: 'New', path: 'new', visibility: 'internal', description: 'd' });
    assert.deepEqual([updated.full_path, updated.visibility, updated.description], ['new', 'internal', 'd']);
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/groups/${sub.id}`)).full_path, 'new/sub');
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/projects/${encoded('new/sub/app')}`)).id, project.id);
    assert.equal((await owner.api.get(`/api/v4/projects/${encoded('old/sub/app')}`)).status, 404);

    const changed = await latestEvent(world.root, `/api/v4/groups/${group.id}/audit_events`, 'group_updated');
    assert.deepEqual(changed.changes, {
      name: { from: 'old', to: 'New' },
      path: { from: 'old', to: 'new' },
      description: { from: '', to: 'd' },
      full_path: { from: 'old', to: 'new' },
    });
    const visibility = await latestEvent(world.root, `/api/v4/groups/${group.id}/audit_events`, 'group_visibility_changed');
    assert.deepEqual(visibility.changes, { visibility: { from: 'private', to: 'internal' } });
    await owner.api.expect(200, 'PUT', `/api/v4/groups/${group.id}`, { path: 'NEW' });
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/groups/${sub.id}`)).full_path, 'NEW/sub', 'a change of case only is its own path');
  });

  it('POST /groups/:id/transfer: owner of both sides; the subtree moves; group_transferred with full_path from/to', async () => {
    const { group, sub, project } = await tree('src');
    const target = await owner.api.expect(201, 'POST', '/api/v4/groups', { name: 'dst', path: 'dst' });
    const foreign = await maintainer.api.expect(201, 'POST', '/api/v4/groups', { name: 'foreign', path: 'foreign' });
    await maintainer.api.expect(201, 'POST', `/api/v4/groups/${foreign.id}/members`, { user_id: owner.id, access_level: 40 });
    assert.equal((await owner.api.post(`/api/v4/groups/${sub.id}/transfer`, { group_id: foreign.id })).status, 403, 'only maintainer of the target');
    assert.equal((await maintainer.api.post(`/api/v4/groups/${sub.id}/transfer`, { group_id: foreign.id })).status, 403, 'only maintainer of the group');
    assert.equal((await owner.api.post(`/api/v4/groups/${group.id}/transfer`, { group_id: sub.id })).status, 400, 'not into its own subgroup');

    const moved = await owner.api.expect(201, 'POST', `/api/v4/groups/${sub.id}/transfer`, { group_id: target.id });
    assert.deepEqual([moved.full_path, moved.parent_id], ['dst/sub', target.id]);
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/projects/${project.id}`)).path_with_namespace, 'dst/sub/app');
    const event = await latestEvent(world.root, `/api/v4/groups/${sub.id}/audit_events`, 'group_transferred');
    assert.deepEqual(event.changes, { full_path: { from: 'src/sub', to: 'dst/sub' }, parent_id: { from: group.id, to: target.id } });

    const top = await owner.api.expect(201, 'POST', `/api/v4/groups/${sub.id}/transfer`, {});
    assert.deepEqual([top.full_path, top.parent_id], ['sub', null]);

    // A top-level group's streaming destinations would stop below another group: refused until deleted.
    const destination = await createDestination(owner.api, sub.id, { name: 'sub-siem', url: receiver.url });
    const streaming = await owner.api.post(`/api/v4/groups/${sub.id}/transfer`, { group_id: target.id });
    assert.equal(streaming.status, 400);
    assert.match(streaming.body.message, /streaming destinations/);
    await owner.api.expect(204, 'DELETE', `/api/v4/groups/${sub.id}/audit_events/streaming/destinations/${destination.id}`);
    await owner.api.expect(201, 'POST', `/api/v4/groups/${sub.id}/transfer`, { group_id: target.id });
  });

  it('DELETE /groups/:id: 202; subgroups, projects, every package version and streaming destination go, each with its event, in that order', async () => {
    const { group, sub, project } = await tree('gone');
    const other = await owner.api.expect(201, 'POST', '/api/v4/projects', { name: 'web', namespace_id: group.id });
    await publishOk(owner.api, project.id, 'lib', '1.0.0');
    await publishOk(owner.api, project.id, 'lib', '1.1.0');
    await publishOk(owner.api, other.id, 'site', '2.0.0');
    await createDestination(owner.api, group.id, { name: 'siem', url: receiver.url });
    const bot = await owner.api.expect(201, 'POST', `/api/v4/projects/${other.id}/deploy_tokens`, { name: 'site-bot', scopes: ['read_package_registry'] });
    const refused = await maintainer.api.delete(`/api/v4/groups/${group.id}`);
    assert.equal(refused.status, 403);
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/groups/${group.id}/packages`)).length, 3);

    const res = await owner.api.delete(`/api/v4/groups/${group.id}`);
    assert.equal(res.status, 202, res.text);
    for (const path of [`/api/v4/groups/${group.id}`, `/api/v4/groups/${sub.id}`, `/api/v4/projects/${project.id}`, `/api/v4/projects/${other.id}`]) {
      assert.equal((await owner.api.get(path)).status, 404, path);
    }
    const events = (await instanceEvents(['package_registry_package_deleted', 'project_deleted', 'group_deleted', 'audit_event_streaming_destination_deleted'])).reverse();
    const mine = events.filter((e) => (e.details.entity_path ?? '').startsWith('gone'));
    assert.deepEqual(
      mine.map((e) => [e.event_name, e.details.target_details]),
      [
        ['package_registry_package_deleted', 'gone/sub/app/lib-1.0.0'],
        ['package_registry_package_deleted', 'gone/sub/app/lib-1.1.0'],
        ['project_deleted', 'gone/sub/app'],
        ['package_registry_package_deleted', 'gone/web/site-2.0.0'],
        ['project_deleted', 'gone/web'],
        ['group_deleted', 'gone/sub'],
        ['audit_event_streaming_destination_deleted', 'siem'],
        ['group_deleted', 'gone'],
      ],
    );
    assert.equal(new Set(mine.map((e) => e.request_id)).size, 1, 'one request');
    // Who lost access is in the log: the members and the deploy tokens that went with them.
    const groupDeleted = mine.at(-1);
    assert.deepEqual(
      groupDeleted.changes.members.from.map((m: { username: string; access_level: number }) => [m.username, m.access_level]),
      [['olga', 50], ['mike', 40]],
    );
    const webDeleted = mine.find((e) => e.event_name === 'project_deleted' && e.details.target_details === 'gone/web');
    assert.deepEqual(webDeleted.changes.deploy_tokens, { from: [{ id: bot.id, name: 'site-bot' }], to: [] });
    assert.ok(mine.every((e) => e.actor.username === 'olga'));
    // The paths are free again.
    await owner.api.expect(201, 'POST', '/api/v4/groups', { name: 'gone', path: 'gone' });
  });

  it('a deletion whose last event cannot be written deletes nothing (one transaction)', async () => {
    const { group, project } = await tree('kept');
    await publishOk(owner.api, project.id, 'kept-lib', '1.0.0');
    const db = await openFaultInjector(trove);
    const fault = { name: 'no_group_deleted', table: 'audit_events' as const, when: "NEW.event_name = 'group_deleted' AND NEW.entity_path = 'kept'" };
    try {
      await db.failInserts(fault);
      try {
        assert.equal((await owner.api.delete(`/api/v4/groups/${group.id}`)).status, 500);
      } finally {
        await db.removeFault(fault);
      }
      assert.equal((await owner.api.expect(200, 'GET', `/api/v4/groups/${group.id}/packages`)).length, 1);
      assert.equal((await owner.api.expect(200, 'GET', `/api/v4/projects/${project.id}`)).path_with_namespace, 'kept/sub/app');
      assert.equal(await db.countRows('audit_events', { event_name: 'package_registry_package_deleted', project_id: project.id }), 0);
    } finally {
      await db.close();
    }
  });

  it('PUT /projects/:id: maintainers change name, path and description; visibility takes an owner', async () => {
    const { sub, project } = await tree('edit');
    const renamed = await maintainer.api.expect(200, 'PUT', `/api/v4/projects/${project.id}`, { name: 'App', path: 'app2', description: 'x' });
    assert.deepEqual([renamed.name, renamed.path_with_namespace, renamed.description], ['App', 'edit/sub/app2', 'x']);
    assert.equal((await maintainer.api.put(`/api/v4/projects/${project.id}`, { visibility: 'public' })).status, 403);
    // Nothing is more visible than its group: the groups above are opened first.
    const inPrivate = await owner.api.put(`/api/v4/projects/${project.id}`, { visibility: 'public' });
    assert.equal(inPrivate.status, 400);
    assert.equal(inPrivate.body.message, 'visibility public is not allowed in a private group');
    const subOpened = await owner.api.put(`/api/v4/groups/${sub.id}`, { visibility: 'public' });
    assert.equal(subOpened.body.message, 'visibility public is not allowed in a private group', 'nor is a subgroup more visible than its parent');
    const root = (await owner.api.expect(200, 'GET', `/api/v4/groups/${sub.id}`)).parent_id;
    await owner.api.expect(200, 'PUT', `/api/v4/groups/${root}`, { visibility: 'public' });
    await owner.api.expect(200, 'PUT', `/api/v4/groups/${sub.id}`, { visibility: 'public' });
    await owner.api.expect(200, 'PUT', `/api/v4/projects/${project.id}`, { visibility: 'public' });
    const lowered = await owner.api.put(`/api/v4/groups/${sub.id}`, { visibility: 'internal' });
    assert.equal(lowered.status, 400);
    assert.equal(lowered.body.message, 'visibility internal is not allowed since this group contains projects with higher visibility');
    const parentLowered = await owner.api.put(`/api/v4/groups/${root}`, { visibility: 'private' });
    assert.equal(parentLowered.body.message, 'visibility private is not allowed since there are subgroups with higher visibility');
    const privateTarget = await owner.api.expect(201, 'POST', '/api/v4/groups', { name: 'closed', path: 'closed' });
    const moved = await owner.api.put(`/api/v4/projects/${project.id}/transfer`, { namespace: privateTarget.id });
    assert.equal(moved.status, 400);
    assert.equal(moved.body.message, 'visibility public is not allowed in a private group');
    const createdOpen = await owner.api.post('/api/v4/projects', { name: 'open', namespace_id: privateTarget.id, visibility: 'internal' });
    assert.equal(createdOpen.status, 400);
    const updated = await latestEvent(world.root, `/api/v4/groups/${sub.id}/audit_events`, 'project_updated');
    assert.deepEqual(updated.changes, {
      name: { from: 'app', to: 'App' },
      path: { from: 'app', to: 'app2' },
      description: { from: '', to: 'x' },
      full_path: { from: 'edit/sub/app', to: 'edit/sub/app2' },
    });
    assert.equal(updated.actor.username, 'mike');
    const visibility = await latestEvent(world.root, `/api/v4/projects/${project.id}/audit_events`, 'project_visibility_changed');
    assert.deepEqual([visibility.changes, visibility.actor.username], [{ visibility: { from: 'private', to: 'public' } }, 'olga']);
  });

  it("PUT /projects/:id/transfer: the target's setting governs its package events from then on", async () => {
    const { sub, project } = await tree('from');
    const quiet = await owner.api.expect(201, 'POST', '/api/v4/groups', { name: 'quiet', path: 'quiet' });
    await owner.api.expect(200, 'PUT', `/api/v4/groups/${quiet.id}/packages/settings`, { package_audit_events: 'disabled' });
    const devOnly = await maintainer.api.expect(201, 'POST', '/api/v4/groups', { name: 'devonly', path: 'devonly' });
    await maintainer.api.expect(201, 'POST', `/api/v4/groups/${devOnly.id}/members`, { user_id: owner.id, access_level: 30 });
    assert.equal((await owner.api.put(`/api/v4/projects/${project.id}/transfer`, { namespace: devOnly.id })).status, 403, 'developer of the target');
    assert.equal((await maintainer.api.put(`/api/v4/projects/${project.id}/transfer`, { namespace: 'quiet' })).status, 403, 'maintainer of the project');
    assert.equal((await owner.api.put(`/api/v4/projects/${project.id}/transfer`, { namespace: 'mike' })).status, 404, "another user's namespace");

    await publishOk(owner.api, project.id, 'before-move', '1.0.0');
    const moved = await owner.api.expect(200, 'PUT', `/api/v4/projects/${project.id}/transfer`, { namespace: 'quiet' });
    assert.equal(moved.path_with_namespace, 'quiet/app');
    await publishOk(owner.api, project.id, 'after-move', '1.0.0');
    const published = await allEvents(world.root, `/api/v4/projects/${project.id}/audit_events`, '&event_name=package_registry_package_published');
    assert.deepEqual(published.map((e) => e.package.name), ['before-move']);

    const transferred = await latestEvent(world.root, `/api/v4/groups/${sub.id}/audit_events`, 'project_transferred');
    assert.deepEqual(transferred.changes, { full_path: { from: 'from/sub/app', to: 'quiet/app' }, namespace_id: { from: sub.id, to: quiet.id } });
    assert.deepEqual(transferred.project, { id: project.id, full_path: 'from/sub/app' });
  });

  it("POST /groups/:id/projects/:project_id answers for a group the caller cannot see exactly as for none", async () => {
    const own = await owner.api.expect(201, 'POST', '/api/v4/projects', { name: 'movable' });
    const hidden = await maintainer.api.expect(201, 'POST', '/api/v4/groups', { name: 'hidden', path: 'hidden' });
    const answers = async (api: typeof owner.api) => {
      const [toHidden, toNone] = [await api.post(`/api/v4/groups/${hidden.id}/projects/${own.id}`), await api.post(`/api/v4/groups/999999/projects/${own.id}`)];
      return [toHidden, toNone].map((res) => [res.status, res.text]);
    };
    const signedIn = await answers(owner.api);
    assert.deepEqual(signedIn[0], signedIn[1]);
    assert.equal(signedIn[0][0], 404);
    const anonymous = await answers(owner.api.as({}));
    assert.deepEqual(anonymous[0], anonymous[1]);
    assert.equal(anonymous[0][0], 401);
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/projects/${own.id}`)).path_with_namespace, 'olga/movable');
  });

  it('DELETE /projects/:id: owners only, 202, each version deleted with its event, then project_deleted', async () => {
    const { sub, project } = await tree('drop');
    await publishOk(owner.api, project.id, 'one', '1.0.0');
    await publishOk(owner.api, project.id, 'two', '1.0.0');
    assert.equal((await maintainer.api.delete(`/api/v4/projects/${project.id}`)).status, 403);
    const res = await owner.api.delete(`/api/v4/projects/${project.id}`);
    assert.deepEqual([res.status, res.body], [202, { message: '202 Accepted' }]);
    assert.equal((await owner.api.get(`/api/v4/projects/${project.id}`)).status, 404);
    const events = await allEvents(world.root, `/api/v4/groups/${sub.id}/audit_events`, '&event_name=package_registry_package_deleted&event_name=project_deleted');
    assert.deepEqual(events.reverse().map((e) => e.details.target_details), ['drop/sub/app/one-1.0.0', 'drop/sub/app/two-1.0.0', 'drop/sub/app']);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Api } from '../support/api.js';
import { publishOk } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// What the packages lists show by default (GitLab's: default and error versions, hidden ones only
// with status=hidden), the insufficient_scope error in GitLab's OAuth shape naming the scope needed,
// whether the settings GET says the caller may change them, and the deletion record of a deleted
// package, which only readers of the project's audit log get (404 for everyone else).

describe('package lists, scope errors and deleted packages over the REST API', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let owner: TestUser;
  let maintainer: TestUser;
  let developer: TestUser;
  let reporter: TestUser;
  let outsider: TestUser;
  let reader: TestUser;
  let deletedId: number;

  const upload = (api: Api, version: string, query = '') =>
    api.request('PUT', `/api/v4/projects/${project.id}/packages/generic/tool/${version}/tool.bin${query}`, Buffer.from(`tool ${version}`), { 'content-type': 'application/octet-stream' });
  const versions = (list: { version: string }[]) => list.map((p) => p.version).sort();

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    [owner, maintainer, developer, reporter, outsider] = await Promise.all(['olivia', 'max', 'dev', 'rita', 'otto'].map((name) => world.user(name)));
    reader = await world.user('carl', ['read_api'], 'ci-read');
    await world.addMember('groups', group.id, owner, 50);
    await world.addMember('groups', group.id, maintainer, 40);
    await world.addMember('groups', group.id, developer, 30);
    await world.addMember('groups', group.id, reporter, 20);
    await world.addMember('groups', group.id, reader, 50);
    for (const [version, query] of [['1.0.0', ''], ['1.1.0', '?status=hidden'], ['1.2.0', '']]) assert.equal((await upload(owner.api, version, query)).status, 201);
    await publishOk(owner.api, project.id, 'gone', '0.1.0');
    const [gone] = await owner.api.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_name=gone`);
    deletedId = gone.id;
    await maintainer.api.expect(204, 'DELETE', `/api/v4/projects/${project.id}/packages/${deletedId}`);
  });

  after(async () => {
    await trove?.stop();
  });

  it('lists hidden versions only when status=hidden is asked, in project and group lists and a package’s versions', async () => {
    const projectList = `/api/v4/projects/${project.id}/packages?package_name=tool`;
    const groupList = `/api/v4/groups/${group.id}/packages?package_name=tool`;
    for (const path of [projectList, groupList]) {
      const res = await reporter.api.get(path);
      assert.deepEqual(versions(res.body), ['1.0.0', '1.2.0'], path);
      assert.equal(res.headers.get('x-total'), '2');
      assert.deepEqual(versions((await reporter.api.get(`${path}&status=hidden`)).body), ['1.1.0']);
      assert.deepEqual(versions((await reporter.api.get(`${path}&status=default`)).body), ['1.0.0', '1.2.0']);
    }
    const [first] = (await reporter.api.get(projectList)).body;
    assert.deepEqual(versions((await reporter.api.get(`/api/v4/projects/${project.id}/packages/${first.id}/versions`)).body), ['1.0.0', '1.2.0']);
  });

  it('answers a token without the needed scope with GitLab’s insufficient_scope body naming the scope', async () => {
    const write = await reader.api.put(`/api/v4/groups/${group.id}/packages/settings`, { package_download_events: 'enabled' });
    assert.equal(write.status, 403);
    assert.deepEqual(write.body, {
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token: it needs the api scope.',
      scope: 'api',
    });
    const del = await reader.api.delete(`/api/v4/projects/${project.id}/packages/${(await reader.api.get(`/api/v4/projects/${project.id}/packages`)).body[0].id}`);
    assert.equal(del.status, 403);
    assert.equal(del.body.scope, 'api');
    const registryOnly = await world.token(owner, 'registry-only', ['read_package_registry']);
    const read = await owner.api.as({ 'private-token': registryOnly.token }).get(`/api/v4/projects/${project.id}/packages`);
    assert.equal(read.status, 403);
    assert.deepEqual([read.body.error, read.body.scope], ['insufficient_scope', 'api read_api']);
  });

  it('says in the settings GET whether the caller may change them (owner with the api scope only)', async () => {
    const canUpdate = async (user: TestUser) => (await user.api.expect(200, 'GET', `/api/v4/groups/${group.id}/packages/settings`)).can_update;
    assert.deepEqual(await Promise.all([owner, maintainer, reporter, reader].map(canUpdate)), [true, false, false, false]);
    assert.equal((await owner.api.expect(200, 'GET', `/api/v4/namespaces/${owner.username}/packages/settings`)).can_update, true);
  });

  it('tells readers of the project’s audit log who deleted a package, when and how; 404 for everyone else', async () => {
    const path = `/api/v4/projects/${project.id}/packages/${deletedId}/deletion`;
    assert.equal((await owner.api.get(`/api/v4/projects/${project.id}/packages/${deletedId}`)).status, 404);
    for (const user of [owner, maintainer]) {
      const deletion = await user.api.expect(200, 'GET', path);
      assert.deepEqual([deletion.id, deletion.name, deletion.version, deletion.package_type], [deletedId, 'gone', '0.1.0', 'npm']);
      assert.deepEqual([deletion.deleted_by.actor.username, deletion.deleted_by.via, deletion.project_path], ['max', 'api', 'acme/web-app']);
      assert.match(deletion.deleted_at, /^\d{4}-\d\d-\d\dT/);
      const event = await user.api.expect(200, 'GET', `/api/v4/projects/${project.id}/audit_events/${deletion.audit_event_id}`);
      assert.equal(event.event_name, 'package_registry_package_deleted');
    }
    // A developer sees only their own actions in the audit log, a reporter none, an outsider not the project.
    for (const user of [developer, reporter]) assert.deepEqual(await user.api.get(path).then((r) => [r.status, r.body]), [404, { message: '404 Package Not Found' }]);
    assert.deepEqual(await outsider.api.get(path).then((r) => [r.status, r.body]), [404, { message: '404 Project Not Found' }]);
    // A package that exists, or never did, has no deletion record.
    const live = (await owner.api.get(`/api/v4/projects/${project.id}/packages`)).body[0].id;
    for (const id of [live, 999999]) assert.equal((await owner.api.get(`/api/v4/projects/${project.id}/packages/${id}/deletion`)).status, 404);
  });

  it('lists a group’s subgroups’ packages too unless exclude_subgroups=true, as GitLab does', async () => {
    const sub = await world.group('tools', group.id);
    const cli = await world.project('cli', sub.id);
    const put = await owner.api.request('PUT', `/api/v4/projects/${cli.id}/packages/generic/subtool/1.0.0/subtool.bin`, Buffer.from('sub'), { 'content-type': 'application/octet-stream' });
    assert.equal(put.status, 201, put.text);
    const names = async (query: string) => ((await reporter.api.expect(200, 'GET', `/api/v4/groups/${group.id}/packages?per_page=100${query}`)) as { name: string }[]).map((p) => p.name);
    assert.ok((await names('')).includes('subtool'));
    assert.ok((await names('&exclude_subgroups=false')).includes('subtool'));
    const own = await names('&exclude_subgroups=true');
    assert.ok(!own.includes('subtool') && own.includes('tool'), own.join(', '));
    assert.equal((await reporter.api.get(`/api/v4/groups/${group.id}/packages?exclude_subgroups=maybe`)).status, 400);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, deployToken } from '../support/api.js';
import { publishOk } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Group-level package reads list the packages of exactly the projects below the group that the
// caller may read project by project: memberships inherit down the group tree (a member of a
// private sub-subgroup reads its projects and no sibling's), a guest reads no private project, a
// project member only that project, a job token only its own project, a deploy token its group's
// subtree and public projects, and signed-in users public and internal ones.

describe('group-level package reads over a group tree with private sub-subgroups', () => {
  let trove: RunningTrove;
  let world: World;
  let corp: { id: number; full_path: string };
  let secret: { id: number; full_path: string };
  const projects: Record<string, { id: number; path_with_namespace: string }> = {};
  const users: Record<string, TestUser> = {};

  /** The projects whose packages a group listing shows, by name (each project holds one package named after it). */
  const listed = async (api: Api, group: { id: number }) => {
    const res = await api.get(`/api/v4/groups/${group.id}/packages?per_page=100`);
    assert.equal(res.status, 200, res.text);
    return (res.body as { name: string }[]).map((p) => p.name.replace('@corp/', '')).sort();
  };

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    corp = await world.group('corp', undefined, 'public');
    const team = await world.group('team', corp.id, 'public');
    secret = await world.group('secret', team.id, 'private');
    const open = await world.group('open', team.id, 'private');
    const layout: [string, number, string][] = [
      ['pub', corp.id, 'public'],
      ['int', corp.id, 'internal'],
      ['priv', corp.id, 'private'],
      ['app', team.id, 'private'],
      ['vault', secret.id, 'private'],
      ['lib', open.id, 'private'],
    ];
    for (const [name, namespaceId, visibility] of layout) {
      projects[name] = await world.project(name, namespaceId, visibility);
      await publishOk(world.root, projects[name].id, `@corp/${name}`, '1.0.0');
    }
    for (const name of ['outsider', 'secretReporter', 'secretGuest', 'teamDev', 'libReporter']) users[name] = await world.user(name);
    await world.addMember('groups', secret.id, users.secretReporter, 20);
    await world.addMember('groups', secret.id, users.secretGuest, 10);
    await world.addMember('groups', team.id, users.teamDev, 30);
    await world.addMember('projects', projects.lib.id, users.libReporter, 20);
  });

  after(async () => {
    await trove?.stop();
  });

  it('lists for each caller exactly the projects it may read below the top-level group', async () => {
    assert.deepEqual(await listed(world.root, corp), ['app', 'int', 'lib', 'priv', 'pub', 'vault']);
    assert.deepEqual(await listed(world.root.as({}), corp), ['pub']);
    assert.deepEqual(await listed(users.outsider.api, corp), ['int', 'pub']);
    assert.deepEqual(await listed(users.secretReporter.api, corp), ['int', 'pub', 'vault']);
    assert.deepEqual(await listed(users.secretGuest.api, corp), ['int', 'pub']);
    assert.deepEqual(await listed(users.teamDev.api, corp), ['app', 'int', 'lib', 'pub', 'vault']);
    assert.deepEqual(await listed(users.libReporter.api, corp), ['int', 'lib', 'pub']);
  });

  it('lists a private sub-subgroup to its members only, with its own projects', async () => {
    assert.deepEqual(await listed(users.secretReporter.api, secret), ['vault']);
    assert.deepEqual(await listed(users.teamDev.api, secret), ['vault']);
    assert.deepEqual(await listed(users.secretGuest.api, secret), []);
    for (const api of [users.outsider.api, users.libReporter.api]) assert.equal((await api.get(`/api/v4/groups/${secret.id}/packages`)).status, 404);
  });

  it('lists only its own project to a job token, and nothing to a deploy token on the REST API', async () => {
    const job = await world.jobToken(projects.vault.id, { pipeline_id: 51, job_id: 5101, ref: 'main', sha: '3f2a1c9d8e7f', user_id: users.teamDev.id });
    assert.deepEqual(await listed(world.root.as({ 'JOB-TOKEN': job.token }), corp), ['vault']);
    const deploy = await world.deployToken('groups', secret.id, 'secret-read', ['read_package_registry']);
    assert.deepEqual(await listed(world.root.as(deployToken(deploy.token)), corp), []);
  });

  it('installs through the group registry endpoint what a deploy token of the sub-subgroup covers, and public packages', async () => {
    const deploy = await world.deployToken('groups', secret.id, 'secret-install', ['read_package_registry']);
    const npm = world.root.as(deployToken(deploy.token));
    const packument = (name: string) => npm.get(`/api/v4/groups/${corp.id}/-/packages/npm/${encodeURIComponent(`@corp/${name}`)}`);
    for (const name of ['vault', 'pub']) assert.equal((await packument(name)).status, 200, name);
    for (const name of ['int', 'priv', 'app', 'lib']) assert.equal((await packument(name)).status, 404, name);
  });
});

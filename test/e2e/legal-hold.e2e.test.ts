import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latestEvent } from '../support/audit.js';
import { curl } from '../support/generic-curl.js';
import { NpmClient } from '../support/npm-client.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Legal holds (docs/api.md#legal-holds): owners put a version, a package name (its later versions
// too) or a whole project under hold; until released, nobody deletes a held version or changes its
// files (administrators, npm unpublish, the packages API, cleanup policies, project and group
// deletion), each refusal recorded as publish_denied naming the hold. Set and release are audited,
// and the package JSON shows the hold.

const SET = 'package_legal_hold_set';
const RELEASED = 'package_legal_hold_released';
const DENIED = 'package_registry_package_publish_denied';

describe('legal hold', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let owner: TestUser;
  let maintainer: TestUser;
  let outsider: TestUser;
  let developer: TestUser;
  let projectCount = 0;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    group = await world.group('acme');
    owner = await world.user('olivia');
    maintainer = await world.user('max');
    outsider = await world.user('olga');
    developer = await world.user('dev');
    await world.addMember('groups', group.id, owner, 50);
    await world.addMember('groups', group.id, developer, 30);
    await world.addMember('groups', group.id, maintainer, 40);
  });

  after(async () => {
    await trove?.stop();
  });

  const projectEvents = (projectId: number) => `/api/v4/projects/${projectId}/audit_events`;
  const packagesPath = (projectId: number) => `/api/v4/projects/${projectId}/packages`;

  async function publishNpm(projectId: number, name: string, version: string): Promise<any> {
    const npm = `/api/v4/projects/${projectId}/packages/npm/${encodeURIComponent(name)}`;
    await world.root.expect(200, 'PUT', npm, publishBody(name, version, await packageTarball(name, version)));
    const list = await world.root.expect(200, 'GET', `${packagesPath(projectId)}?package_name=${encodeURIComponent(name)}&package_version=${version}`);
    return list.find((p: any) => p.name === name && p.version === version);
  }

  /** A fresh project in `acme` with these versions of @acme/ui-kit. */
  async function projectWith(versions: string[], name = '@acme/ui-kit'): Promise<{ project: { id: number }; packages: any[] }> {
    const project = await world.project(`app-${++projectCount}`, group.id);
    const packages = [];
    for (const version of versions) packages.push(await publishNpm(project.id, name, version));
    return { project, packages };
  }

  it('sets and releases a hold on a version: audited, listed with who set it, shown in the package JSON, its terms to maintainers only', async () => {
    const { project, packages } = await projectWith(['1.0.0', '1.0.1']);
    const [held, free] = packages;
    const hold = await owner.api.expect(200, 'PUT', `${packagesPath(project.id)}/${held.id}/legal_hold`, { reason: 'Investigation of the 1.0.0 release', reference: 'CASE-17' });
    assert.equal(hold.scope, 'version');
    assert.deepEqual([hold.package_id, hold.package_type, hold.package_name, hold.package_version], [held.id, 'npm', '@acme/ui-kit', '1.0.0']);
    assert.equal(hold.set_by.actor.username, 'olivia');

    const set = await latestEvent(world.root, projectEvents(project.id), SET);
    assert.equal(set.actor.username, 'olivia');
    assert.equal(set.package.version, '1.0.0');
    assert.deepEqual(set.changes.reason, { from: null, to: 'Investigation of the 1.0.0 release' });
    assert.deepEqual(set.changes.reference, { from: null, to: 'CASE-17' });
    assert.match(set.details.custom_message, /@acme\/ui-kit@1\.0\.0.*CASE-17/);

    const listed = await maintainer.api.expect(200, 'GET', `/api/v4/projects/${project.id}/legal_holds`);
    assert.deepEqual(listed.map((h: any) => [h.id, h.reason, h.reference, h.set_by.actor.username]), [[hold.id, 'Investigation of the 1.0.0 release', 'CASE-17', 'olivia']]);
    const page = await maintainer.api.expect(200, 'GET', packagesPath(project.id));
    const shown = new Map(page.map((p: any) => [p.version, p.legal_hold]));
    assert.deepEqual(shown.get('1.0.1'), null);
    assert.deepEqual(
      { ...(shown.get('1.0.0') as any), set_by: undefined },
      { reason: 'Investigation of the 1.0.0 release', reference: 'CASE-17', scope: 'version', set_at: hold.set_at, set_by: undefined },
    );
    assert.equal((await maintainer.api.expect(200, 'GET', `${packagesPath(project.id)}/${free.id}`)).legal_hold, null);

    // A developer sees that the version is held, not the case it is held for.
    const unnamed = { reason: null, reference: null, set_by: null };
    const [listedToDeveloper] = await developer.api.expect(200, 'GET', `/api/v4/projects/${project.id}/legal_holds`);
    assert.deepEqual({ ...listedToDeveloper, ...unnamed }, listedToDeveloper);
    assert.equal(listedToDeveloper.package_version, '1.0.0');
    const seenByDeveloper = await developer.api.expect(200, 'GET', `${packagesPath(project.id)}/${held.id}`);
    assert.deepEqual(seenByDeveloper.legal_hold, { ...unnamed, scope: 'version', set_at: hold.set_at });

    assert.equal((await owner.api.delete(`${packagesPath(project.id)}/${held.id}/legal_hold`)).status, 204);
    const released = await latestEvent(world.root, projectEvents(project.id), RELEASED);
    assert.equal(released.actor.username, 'olivia');
    assert.deepEqual(released.changes.reference, { from: 'CASE-17', to: null });
    assert.equal(released.package.version, '1.0.0');
    assert.deepEqual(await maintainer.api.expect(200, 'GET', `/api/v4/projects/${project.id}/legal_holds`), []);
    assert.equal((await maintainer.api.expect(200, 'GET', `${packagesPath(project.id)}/${held.id}`)).legal_hold, null);
    assert.equal((await owner.api.delete(`${packagesPath(project.id)}/${held.id}/legal_hold`)).status, 404);
  });

  it('refuses an administrator deleting a held version or one of its files, until it is released', async () => {
    const { project, packages } = await projectWith(['2.0.0']);
    const [held] = packages;
    const hold = await owner.api.expect(200, 'PUT', `${packagesPath(project.id)}/${held.id}/legal_hold`, { reason: 'Litigation hold', reference: 'LIT-4' });
    const refused = await world.root.delete(`${packagesPath(project.id)}/${held.id}`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, new RegExp(`legal hold #${hold.id} on the version \\(reference LIT-4\\)`));
    const denied = await latestEvent(world.root, projectEvents(project.id), DENIED);
    assert.equal(denied.outcome, 'failure');
    assert.match(denied.reason, new RegExp(`legal hold #${hold.id}`));
    assert.equal(denied.package.version, '2.0.0');

    const files = await world.root.expect(200, 'GET', `${packagesPath(project.id)}/${held.id}/package_files`);
    assert.equal((await world.root.delete(`${packagesPath(project.id)}/${held.id}/package_files/${files[0].id}`)).status, 403);
    assert.equal((await world.root.expect(200, 'GET', `${packagesPath(project.id)}/${held.id}/package_files`)).length, 1);

    assert.equal((await owner.api.delete(`${packagesPath(project.id)}/${held.id}/legal_hold`)).status, 204);
    assert.equal((await world.root.delete(`${packagesPath(project.id)}/${held.id}`)).status, 204);
    assert.equal((await world.root.get(`${packagesPath(project.id)}/${held.id}`)).status, 404);
  });

  it('a name hold covers a version published after it, and real npm cannot unpublish it until released', async () => {
    const { project } = await projectWith(['3.0.0'], '@acme/held');
    const hold = await owner.api.expect(200, 'PUT', `${packagesPath(project.id)}/legal_holds`, { package_type: 'npm', package_name: '@acme/held', reason: 'Regulator request' });
    assert.deepEqual([hold.scope, hold.package_id, hold.package_name, hold.reference], ['name', null, '@acme/held', null]);
    const later = await publishNpm(project.id, '@acme/held', '3.0.1');
    assert.equal(later.legal_hold.scope, 'name');

    const registry = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/`;
    const client = new NpmClient(registry, maintainer.token);
    const result = await client.npm(['unpublish', '@acme/held@3.0.1']);
    assert.notEqual(result.code, 0, result.stdout);
    assert.match(result.stderr, /legal hold/);
    const denied = await latestEvent(world.root, projectEvents(project.id), DENIED);
    assert.match(denied.reason, new RegExp(`legal hold #${hold.id} on the package name`));
    const view = await client.npm(['view', '@acme/held', 'versions', '--json']);
    assert.deepEqual(JSON.parse(view.stdout), ['3.0.0', '3.0.1']);

    const release = await owner.api.delete(`${packagesPath(project.id)}/legal_holds?package_type=npm&package_name=${encodeURIComponent('@acme/held')}`);
    assert.equal(release.status, 204, release.text);
    const released = await latestEvent(world.root, projectEvents(project.id), RELEASED);
    assert.equal(released.package.name, '@acme/held');
    const unpublished = await client.npm(['unpublish', '@acme/held@3.0.1']);
    assert.equal(unpublished.code, 0, unpublished.stderr);
    const after = await client.npm(['view', '@acme/held', 'versions', '--json']);
    assert.deepEqual(JSON.parse(after.stdout), ['3.0.0']);
  });

  it('a project hold blocks deleting the project and its group, with a clear message, until released', async () => {
    const parent = await world.group('legal', group.id);
    const project = await world.project('archive', parent.id);
    const [pkg] = [await publishNpm(project.id, '@acme/archive', '1.0.0')];
    const hold = await owner.api.expect(200, 'PUT', `/api/v4/projects/${project.id}/legal_hold`, { reason: 'Retain everything', reference: 'AUD-2026' });
    assert.equal(pkg.legal_hold, null);
    assert.equal((await world.root.expect(200, 'GET', `${packagesPath(project.id)}/${pkg.id}`)).legal_hold.scope, 'project');

    const refused = await world.root.delete(`/api/v4/projects/${project.id}`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, new RegExp(`Project acme/legal/archive is under legal hold #${hold.id} on the project \\(reference AUD-2026\\)`));
    const groupRefused = await world.root.delete(`/api/v4/groups/${parent.id}`);
    assert.equal(groupRefused.status, 403);
    assert.match(groupRefused.body.message, /legal hold/);
    const denials = (await world.root.expect(200, 'GET', `${projectEvents(project.id)}?event_name=${DENIED}`)) as any[];
    assert.equal(denials.length, 2, 'each refused deletion is recorded once');
    for (const denied of denials) {
      assert.equal(denied.outcome, 'failure');
      assert.match(denied.reason, new RegExp(`legal hold #${hold.id} on the project`));
    }
    assert.equal((await world.root.get(`/api/v4/projects/${project.id}`)).status, 200);
    assert.equal((await world.root.get(`${packagesPath(project.id)}/${pkg.id}`)).status, 200);

    assert.equal((await owner.api.delete(`/api/v4/projects/${project.id}/legal_hold`)).status, 204);
    assert.equal((await world.root.delete(`/api/v4/projects/${project.id}`)).status, 202);
    assert.equal((await world.root.get(`/api/v4/projects/${project.id}`)).status, 404);
  });

  it('a project hold with no package yet blocks deleting the project too', async () => {
    const project = await world.project(`empty-${++projectCount}`, group.id);
    await owner.api.expect(200, 'PUT', `/api/v4/projects/${project.id}/legal_hold`, { reason: 'Keep whatever lands here' });
    assert.equal((await world.root.delete(`/api/v4/projects/${project.id}`)).status, 403);
    assert.equal((await owner.api.delete(`/api/v4/projects/${project.id}/legal_hold`)).status, 204);
    assert.equal((await world.root.delete(`/api/v4/projects/${project.id}`)).status, 202);
  });

  it('a cleanup policy skips held versions and says so in its run event', async () => {
    // keep 1 newest (4.0.2, also `latest`): 4.0.0 and 4.0.1 are selected, 4.0.0 is held.
    const { project, packages } = await projectWith(['4.0.0', '4.0.1', '4.0.2']);
    const hold = await owner.api.expect(200, 'PUT', `${packagesPath(project.id)}/${packages[0].id}/legal_hold`, { reason: 'Keep 4.0.0' });
    const policy = `/api/v4/projects/${project.id}/packages/cleanup_policy`;
    await maintainer.api.expect(200, 'PUT', policy, { keep_n_versions: 1, older_than_days: 0 });
    const run = await maintainer.api.expect(200, 'POST', `${policy}/run`);
    assert.deepEqual(run.selected.map((i: any) => i.version), ['4.0.0', '4.0.1']);
    assert.deepEqual(run.deleted.map((i: any) => i.version), ['4.0.1']);
    assert.deepEqual(run.held.map((i: any) => [i.version, i.reason]), [['4.0.0', `kept: legal hold #${hold.id} on the version`]]);
    assert.deepEqual(run.errors, []);
    const executed = await latestEvent(world.root, projectEvents(project.id), 'package_registry_cleanup_policy_executed');
    assert.match(executed.details.custom_message, /1 kept by legal hold/);
    assert.deepEqual(executed.changes.versions_held.to, [{ id: packages[0].id, name: '@acme/ui-kit', version: '4.0.0', hold: `kept: legal hold #${hold.id} on the version` }]);
    const left = await world.root.expect(200, 'GET', packagesPath(project.id));
    assert.deepEqual(left.map((p: any) => p.version).sort(), ['4.0.0', '4.0.2']);
  });

  it('keeps the bytes of a held version: a generic re-upload that would replace its file is refused', async () => {
    const dup = await world.group('dup', group.id);
    await world.root.expect(200, 'PUT', `/api/v4/groups/${dup.id}/packages/settings`, { generic_duplicates_allowed: true });
    const project = await world.project('reports', dup.id);
    const fileUrl = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/generic/report/1.0.0/report.txt`;
    const upload = (bytes: string) => curl(['-X', 'PUT', '-H', `PRIVATE-TOKEN: ${trove.rootToken}`, '--data-binary', bytes, fileUrl]);
    assert.equal((await upload('first')).status, 201);
    const [pkg] = await world.root.expect(200, 'GET', `${packagesPath(project.id)}?package_name=report`);
    const hold = await owner.api.expect(200, 'PUT', `${packagesPath(project.id)}/${pkg.id}/legal_hold`, { reason: 'Evidence' });

    const refused = await upload('second');
    assert.equal(refused.status, 403, refused.body);
    assert.match(refused.json.message, new RegExp(`legal hold #${hold.id} on the version.*cannot be changed`));
    const denied = await latestEvent(world.root, projectEvents(project.id), DENIED);
    assert.match(denied.reason, new RegExp(`legal hold #${hold.id}`));
    assert.equal((await curl(['-H', `PRIVATE-TOKEN: ${trove.rootToken}`, fileUrl])).body, 'first');

    assert.equal((await owner.api.delete(`${packagesPath(project.id)}/${pkg.id}/legal_hold`)).status, 204);
    assert.equal((await upload('second')).status, 201);
    assert.equal((await curl(['-H', `PRIVATE-TOKEN: ${trove.rootToken}`, fileUrl])).body, 'second');
  });

  it('refuses bad holds with 400', async () => {
    const { project, packages } = await projectWith(['5.0.0']);
    const versionHold = `${packagesPath(project.id)}/${packages[0].id}/legal_hold`;
    const bad: [string, unknown][] = [
      [versionHold, {}],
      [versionHold, { reason: '   ' }],
      [versionHold, { reason: 'x'.repeat(1001) }],
      [versionHold, { reason: 'ok', reference: 'r'.repeat(256) }],
      [versionHold, { reason: 42 }],
      [`${packagesPath(project.id)}/legal_holds`, { package_type: 'nuget', package_name: 'x', reason: 'ok' }],
      [`${packagesPath(project.id)}/legal_holds`, { package_type: 'npm', reason: 'ok' }],
      [`${packagesPath(project.id)}/legal_holds`, { package_type: 'npm', package_name: '../etc', reason: 'ok' }],
      [`/api/v4/projects/${project.id}/legal_hold`, { reference: 'CASE-1' }],
    ];
    for (const [path, body] of bad) {
      const res = await owner.api.put(path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
      assert.equal(typeof (res.body.message ?? res.body.error), 'string', res.text);
    }
    assert.equal((await owner.api.put(versionHold, { reason: 'x'.repeat(1000), reference: 'r'.repeat(255) })).status, 200);
    assert.deepEqual((await maintainer.api.expect(200, 'GET', `/api/v4/projects/${project.id}/legal_holds`)).length, 1);
  });

  it('only owners and administrators set and release holds: 403 for a maintainer, 404 for whoever may not see the project', async () => {
    const { project, packages } = await projectWith(['6.0.0']);
    const versionHold = `${packagesPath(project.id)}/${packages[0].id}/legal_hold`;
    const body = { reason: 'Hold' };
    assert.equal((await maintainer.api.put(versionHold, body)).status, 403);
    assert.equal((await maintainer.api.put(`/api/v4/projects/${project.id}/legal_hold`, body)).status, 403);
    assert.equal((await maintainer.api.put(`${packagesPath(project.id)}/legal_holds`, { ...body, package_type: 'npm', package_name: '@acme/ui-kit' })).status, 403);
    assert.equal((await outsider.api.put(versionHold, body)).status, 404);
    assert.equal((await outsider.api.get(`/api/v4/projects/${project.id}/legal_holds`)).status, 404);
    assert.deepEqual(await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/legal_holds`), []);

    const byAdmin = await world.root.expect(200, 'PUT', versionHold, body);
    assert.equal(byAdmin.set_by.actor.username, 'root');
    assert.equal((await maintainer.api.delete(versionHold)).status, 403);
    assert.equal((await outsider.api.delete(versionHold)).status, 404);
    assert.equal((await maintainer.api.expect(200, 'GET', `/api/v4/projects/${project.id}/legal_holds`)).length, 1);
    assert.equal((await world.root.delete(versionHold)).status, 204);
  });
});

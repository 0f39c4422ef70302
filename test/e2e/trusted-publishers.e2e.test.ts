import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latestEvent } from '../support/audit.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Trusted publishers' API (docs/api.md#trusted-publishers): owners create, change and delete them,
// each change audited with before and after on the project or group; maintainers read them and are
// refused changes with 403, developers get 403, outsiders 404; a project's list shows the
// publishers it inherits from the groups above it, read-only there.

const GITLAB = 'https://gitlab.com';

describe('trusted publishers API', () => {
  let trove: RunningTrove;
  let world: World;
  let acme: { id: number; full_path: string };
  let platform: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let owner: TestUser;
  let maintainer: TestUser;
  let developer: TestUser;
  let outsider: TestUser;
  const publishers = (kind = 'projects', id = project.id) => `/api/v4/${kind}/${id}/packages/trusted_publishers`;
  const projectEvents = () => `/api/v4/projects/${project.id}/audit_events`;
  const gitlabPublisher = { issuer: GITLAB, claims: { project_path: 'acme/platform/web-app', ref: 'main', ref_protected: 'true' } };

  before(async () => {
    trove = await startTrove({ env: { TROVE_OIDC_ALLOW_INSECURE_ISSUERS: '1' } });
    world = new World(trove);
    acme = await world.group('acme');
    platform = await world.group('platform', acme.id);
    project = await world.project('web-app', platform.id);
    owner = await world.user('olivia');
    maintainer = await world.user('max');
    developer = await world.user('dana');
    outsider = await world.user('oscar');
    await world.addMember('groups', acme.id, owner, 50);
    await world.addMember('groups', acme.id, maintainer, 40);
    await world.addMember('groups', acme.id, developer, 30);
  });

  after(async () => {
    await trove?.stop();
  });

  it('lets an owner create, change and delete a publisher, each change audited with before and after', async () => {
    const created = await owner.api.expect(201, 'POST', publishers(), gitlabPublisher);
    assert.deepEqual(
      { ...created, id: 0, created_at: '', updated_at: '' },
      {
        id: 0, project_id: project.id, group_id: null, issuer: GITLAB, audience: trove.baseUrl, claims: gitlabPublisher.claims,
        package_type: null, package_name_pattern: null, inherited_from: null, created_at: '', updated_at: '',
      },
      'the audience defaults to the base URL',
    );
    const createdEvent = await latestEvent(world.root, projectEvents(), 'trusted_publisher_created');
    assert.equal(createdEvent.actor.username, 'olivia');
    assert.equal(createdEvent.details.target_id, created.id);
    assert.deepEqual(createdEvent.changes.issuer, { from: null, to: GITLAB });
    assert.deepEqual(createdEvent.changes.claims, { from: null, to: gitlabPublisher.claims });

    const claims = { project_path: 'acme/platform/web-app', ref: 'refs/tags/v*' };
    const patched = await owner.api.expect(200, 'PATCH', `${publishers()}/${created.id}`, { claims, package_type: 'npm', package_name_pattern: '@acme/*' });
    assert.deepEqual([patched.claims, patched.package_type, patched.package_name_pattern], [claims, 'npm', '@acme/*']);
    const updated = await latestEvent(world.root, projectEvents(), 'trusted_publisher_updated');
    assert.deepEqual(updated.changes, {
      claims: { from: gitlabPublisher.claims, to: claims },
      package_type: { from: null, to: 'npm' },
      package_name_pattern: { from: null, to: '@acme/*' },
    });
    assert.deepEqual(await owner.api.expect(200, 'GET', `${publishers()}/${created.id}`), patched);

    await owner.api.expect(204, 'DELETE', `${publishers()}/${created.id}`);
    const deleted = await latestEvent(world.root, projectEvents(), 'trusted_publisher_deleted');
    assert.equal(deleted.details.target_id, created.id);
    assert.deepEqual(deleted.changes.claims, { from: claims, to: null });
    assert.equal((await owner.api.get(`${publishers()}/${created.id}`)).status, 404);
  });

  it('refuses publishers that would trust too much, or an issuer it would not fetch, with 400', async () => {
    for (const bad of [
      { issuer: GITLAB, claims: { ref: 'main' } },
      { issuer: GITLAB, claims: { project_path: '*' } },
      { issuer: GITLAB, claims: {} },
      { issuer: 'https://token.actions.githubusercontent.com', claims: { workflow: 'release' } },
      { issuer: 'http://ci.example', claims: { sub: 'x' } },
      { issuer: 'https://GitLab.com', claims: { project_path: 'acme/app' } },
      { ...gitlabPublisher, package_type: 'nuget' },
      { ...gitlabPublisher, claims: { project_path: 'acme/app', ref: 1 } },
      { claims: { project_path: 'acme/app' } },
      { ...gitlabPublisher, issuer: 123 },
      { ...gitlabPublisher, issuer: 'https://gitlab.com/' + 'x'.repeat(100_000) },
      { ...gitlabPublisher, claims: 'project_path=acme/app' },
      { ...gitlabPublisher, claims: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c${i}`, 'x'])) },
      { ...gitlabPublisher, package_name_pattern: 'has space' },
    ]) {
      const res = await owner.api.post(publishers(), bad);
      assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${res.text}`);
    }
    // A test issuer on loopback is taken here: this Trove runs with TROVE_OIDC_ALLOW_INSECURE_ISSUERS=1.
    const local = await owner.api.expect(201, 'POST', publishers(), { issuer: 'http://127.0.0.1:9999', audience: 'trove', claims: { sub: 'ci' }, package_type: 'container' });
    assert.equal((await owner.api.post(publishers(), { issuer: 'http://10.0.0.8:9999', claims: { sub: 'ci' } })).status, 400);
    await owner.api.expect(204, 'DELETE', `${publishers()}/${local.id}`);
  });

  it('lets maintainers read but not change them, developers neither (403), and hides them from outsiders (404)', async () => {
    const created = await owner.api.expect(201, 'POST', publishers(), gitlabPublisher);
    const one = `${publishers()}/${created.id}`;
    assert.equal((await maintainer.api.get(publishers())).status, 200);
    assert.equal((await maintainer.api.get(one)).status, 200);
    assert.equal((await maintainer.api.post(publishers(), gitlabPublisher)).status, 403);
    assert.equal((await maintainer.api.request('PATCH', one, { audience: 'x' })).status, 403);
    assert.equal((await maintainer.api.request('DELETE', one)).status, 403);
    assert.equal((await maintainer.api.post(publishers('groups', acme.id), gitlabPublisher)).status, 403);
    assert.equal((await developer.api.get(publishers())).status, 403);
    for (const [method, path] of [['GET', publishers()], ['GET', one], ['POST', publishers()], ['PATCH', one], ['DELETE', one], ['GET', publishers('groups', acme.id)]] as const) {
      assert.equal((await outsider.api.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : gitlabPublisher)).status, 404, `${method} ${path}`);
    }
    await owner.api.expect(204, 'DELETE', one);
  });

  it("shows a group's publishers in the lists of projects below it, changed only on the group", async () => {
    const own = await owner.api.expect(201, 'POST', publishers(), gitlabPublisher);
    const groupPublisher = { issuer: GITLAB, claims: { namespace_path: 'acme/*' } };
    const inherited = await owner.api.expect(201, 'POST', publishers('groups', acme.id), groupPublisher);
    assert.deepEqual([inherited.group_id, inherited.project_id, inherited.inherited_from], [acme.id, null, null]);
    const groupEvent = await latestEvent(world.root, `/api/v4/groups/${acme.id}/audit_events`, 'trusted_publisher_created');
    assert.equal(groupEvent.details.target_id, inherited.id);

    const listed = await owner.api.expect(200, 'GET', publishers());
    assert.deepEqual(
      listed.map((p: any) => [p.id, p.inherited_from]),
      [
        [own.id, null],
        [inherited.id, { id: acme.id, full_path: 'acme' }],
      ],
    );
    assert.deepEqual((await owner.api.expect(200, 'GET', `${publishers()}/${inherited.id}`)).inherited_from, { id: acme.id, full_path: 'acme' });
    // The group's access review lists both among the credentials that can write (docs/api.md#access-review).
    const review = await owner.api.expect(200, 'GET', `/api/v4/groups/${acme.id}/access_review`);
    assert.deepEqual(
      review.credentials.filter((c: any) => c.kind === 'trusted_publisher').map((c: any) => [c.id, c.name, c.owner, c.scopes, c.last_used_at, c.stale]),
      [
        [own.id, `${GITLAB} project_path=acme/platform/web-app ref=main ref_protected=true`, { type: 'project', id: project.id, path: 'acme/platform/web-app' }, ['write_package_registry', 'write_registry'], null, false],
        [inherited.id, `${GITLAB} namespace_path=acme/*`, { type: 'group', id: acme.id, path: 'acme' }, ['write_package_registry', 'write_registry'], null, false],
      ],
    );
    assert.deepEqual((await owner.api.expect(200, 'GET', publishers('groups', platform.id))).map((p: any) => p.id), [], "a subgroup's own list");
    assert.equal((await owner.api.request('PATCH', `${publishers()}/${inherited.id}`, { audience: 'x' })).status, 404, 'changed on the group only');
    assert.equal((await owner.api.request('DELETE', `${publishers()}/${inherited.id}`)).status, 404);
    await owner.api.expect(200, 'PATCH', `${publishers('groups', acme.id)}/${inherited.id}`, { audience: 'trove-ci' });
    const updated = await latestEvent(world.root, `/api/v4/groups/${acme.id}/audit_events`, 'trusted_publisher_updated');
    assert.deepEqual(updated.changes, { audience: { from: trove.baseUrl, to: 'trove-ci' } });
    await owner.api.expect(204, 'DELETE', `${publishers('groups', acme.id)}/${inherited.id}`);
    await owner.api.expect(204, 'DELETE', `${publishers()}/${own.id}`);
  });
});

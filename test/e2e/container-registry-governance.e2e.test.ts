import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { tryPushSmallImage, pushSmallImage } from '../support/oci-images.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Protected and immutable container tags (GitLab's tag rules) enforced on every /v2/ write, their
// rules managed and audited through the REST API, and the container expiration policy that deletes
// tags as the system actor while keeping protected and immutable ones.

const DEVELOPER = 30;
const MAINTAINER = 40;
const OWNER = 50;

describe('container registry governance: protected and immutable tags', () => {
  let trove: RunningTrove;
  let world: World;
  let owner: TestUser;
  let maintainer: TestUser;
  let developer: TestUser;
  let projectId: number;
  let projectEvents: string;
  let rules: string;
  const image = 'acme/app';

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    const group = await world.group('acme');
    const project = await world.project('app', group.id);
    projectId = project.id;
    owner = await world.user('olive');
    maintainer = await world.user('max');
    developer = await world.user('dev');
    await world.addMember('projects', projectId, owner, OWNER);
    await world.addMember('projects', projectId, maintainer, MAINTAINER);
    await world.addMember('projects', projectId, developer, DEVELOPER);
    projectEvents = `/api/v4/projects/${projectId}/audit_events`;
    rules = `/api/v4/projects/${projectId}/registry/protection/tag/rules`;
  });

  after(async () => {
    await trove?.stop();
  });

  /** The last push_denied names the rule and the tag, with outcome failure and the caller. */
  async function assertDenied(ruleId: number, what: string, username: string) {
    const denied = await latestEvent(world.root, projectEvents, 'container_registry_push_denied');
    assert.equal(denied.outcome, 'failure');
    assert.equal(denied.details.target_details, what);
    assert.match(denied.reason, new RegExp(`rule ${ruleId} `));
    assert.equal(denied.actor.username, username);
  }

  it('manages rules as GitLab: maintainers protected ones, owners immutable ones, each change audited', async () => {
    assert.equal((await developer.api.post(rules, { tag_name_pattern: '^v', minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'maintainer' })).status, 403);
    assert.equal((await developer.api.get(rules)).status, 403);
    const outsider = await world.user('outsider');
    assert.equal((await outsider.api.get(rules)).status, 404, 'existence does not leak');

    const created = await maintainer.api.expect(201, 'POST', rules, { tag_name_pattern: '^v[0-9]', minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'owner' });
    assert.deepEqual([created.tag_name_pattern, created.minimum_access_level_for_push, created.minimum_access_level_for_delete, created.immutable], ['^v[0-9]', 'maintainer', 'owner', false]);
    const createdEvent = await latestEvent(world.root, projectEvents, 'container_tag_protection_rule_created');
    assert.equal(createdEvent.actor.username, 'max');
    assert.deepEqual(createdEvent.changes.tag_name_pattern, { from: null, to: '^v[0-9]' });
    assert.deepEqual(createdEvent.changes.immutable, { from: null, to: false });

    assert.equal((await maintainer.api.post(rules, { tag_name_pattern: '^stable$', immutable: true })).status, 403, 'immutable rules take an owner');
    const immutable = await owner.api.expect(201, 'POST', rules, { tag_name_pattern: '^stable$', immutable: true });
    assert.deepEqual([immutable.minimum_access_level_for_push, immutable.minimum_access_level_for_delete, immutable.immutable], [null, null, true]);
    assert.equal((await owner.api.request('PATCH', `${rules}/${immutable.id}`, { tag_name_pattern: '^stab' })).status, 422, 'immutable rules are never changed');

    assert.equal((await maintainer.api.post(rules, { tag_name_pattern: '(a', minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'maintainer' })).status, 400);
    assert.equal((await maintainer.api.post(rules, { tag_name_pattern: '^(?!x)', minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'maintainer' })).status, 400, 'RE2 has no lookaround');
    assert.equal((await maintainer.api.post(rules, { tag_name_pattern: '^rc' })).status, 400, 'a protected rule needs its levels');
    assert.equal((await maintainer.api.post(rules, { tag_name_pattern: '^v[0-9]', minimum_access_level_for_push: 'owner', minimum_access_level_for_delete: 'owner' })).status, 422, 'one rule per pattern');

    const updated = await maintainer.api.expect(200, 'PATCH', `${rules}/${created.id}`, { minimum_access_level_for_delete: 'maintainer' });
    assert.equal(updated.minimum_access_level_for_delete, 'maintainer');
    const updatedEvent = await latestEvent(world.root, projectEvents, 'container_tag_protection_rule_updated');
    assert.deepEqual(updatedEvent.changes, { minimum_access_level_for_delete: { from: 'owner', to: 'maintainer' } });

    const listed = await maintainer.api.expect(200, 'GET', `/api/v4/projects/${projectId}/registry/protection/tag_rules`);
    assert.deepEqual(listed.map((r: any) => r.id), [created.id, immutable.id]);

    assert.equal((await maintainer.api.request('DELETE', `${rules}/${immutable.id}`)).status, 403);
    await owner.api.expect(204, 'DELETE', `${rules}/${immutable.id}`);
    await maintainer.api.expect(204, 'DELETE', `${rules}/${created.id}`);
    const deletedEvent = await latestEvent(world.root, projectEvents, 'container_tag_protection_rule_deleted');
    assert.deepEqual(deletedEvent.changes.tag_name_pattern, { from: '^v[0-9]', to: null });
    assert.deepEqual(await maintainer.api.expect(200, 'GET', rules), []);
  });

  it('refuses a protected tag to a developer and a deploy token (DENIED, audited), and lets those the rule names push and delete it', async () => {
    const rule = await maintainer.api.expect(201, 'POST', rules, { tag_name_pattern: '^prod', minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'maintainer' });
    const refused = await tryPushSmallImage(developer.api, image, 'prod', 'by the developer');
    assert.equal(refused.res.status, 403, refused.res.text);
    assert.equal(refused.res.body.errors[0].code, 'DENIED');
    assert.match(refused.res.body.errors[0].message, new RegExp(`protection rule ${rule.id} \\("\\^prod"\\): push needs maintainer`));
    await assertDenied(rule.id, `${image}:prod`, 'dev');
    assert.equal((await developer.api.get(`/v2/${image}/manifests/prod`)).status, 404, 'nothing of the refused push remains');

    const pushed = await pushSmallImage(maintainer.api, image, 'prod', 'by the maintainer');
    await pushSmallImage(developer.api, image, 'dev-build', 'an unprotected tag');
    // Moving the tag is a push too; so is pointing it at an image pushed by digest.
    const other = await pushSmallImage(developer.api, image, null, 'pushed by digest');
    const moved = await developer.api.request('PUT', `/v2/${image}/manifests/prod`, other.bytes, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    assert.equal(moved.status, 403);

    const deploy = await world.deployToken('projects', projectId, 'ci', ['read_package_registry', 'write_package_registry']);
    const byDeploy = await tryPushSmallImage(world.root.as(basic(deploy.token, deploy.username)), image, 'prod-2', 'by a deploy token');
    assert.equal(byDeploy.res.status, 403, byDeploy.res.text);
    assert.match(byDeploy.res.body.errors[0].message, /deploy tokens/);

    // Deleting takes the rule's delete level (here: owner), whatever the caller's role lets it delete otherwise.
    await maintainer.api.expect(200, 'PATCH', `${rules}/${rule.id}`, { minimum_access_level_for_delete: 'owner' });
    const deleteByMaintainer = await maintainer.api.request('DELETE', `/v2/${image}/manifests/prod`);
    assert.equal(deleteByMaintainer.status, 403, deleteByMaintainer.text);
    assert.match(deleteByMaintainer.body.errors[0].message, /delete needs owner/);
    await assertDenied(rule.id, `${image}:prod`, 'max');
    // A manifest delete removes its tags, so it is refused while one of them is protected.
    assert.equal((await maintainer.api.request('DELETE', `/v2/${image}/manifests/${pushed.digest}`)).status, 403);
    await assertDenied(rule.id, `${image}@${pushed.digest}`, 'max');
    assert.equal((await owner.api.request('DELETE', `/v2/${image}/manifests/prod`)).status, 202);
    await maintainer.api.expect(204, 'DELETE', `${rules}/${rule.id}`);
  });

  it('never moves or deletes an immutable tag, not even for an administrator, and refuses a manifest delete that would', async () => {
    const rule = await owner.api.expect(201, 'POST', rules, { tag_name_pattern: '^release-', immutable: true });
    const first = await pushSmallImage(developer.api, image, 'release-1', 'release one');
    // Pushing the same image again changes nothing and is accepted.
    assert.equal((await developer.api.request('PUT', `/v2/${image}/manifests/release-1`, first.bytes, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })).status, 201);
    for (const [api, username] of [[developer.api, 'dev'], [world.root, 'root']] as const) {
      const move = await tryPushSmallImage(api, image, 'release-1', `moved by ${username}`);
      assert.equal(move.res.status, 403, move.res.text);
      assert.match(move.res.body.errors[0].message, new RegExp(`immutable rule ${rule.id} \\("\\^release-"\\): nobody may move`));
      await assertDenied(rule.id, `${image}:release-1`, username);
    }
    const deleteTag = await world.root.request('DELETE', `/v2/${image}/manifests/release-1`);
    assert.equal(deleteTag.status, 403);
    assert.match(deleteTag.body.errors[0].message, /nobody may delete/);
    const deleteManifest = await world.root.request('DELETE', `/v2/${image}/manifests/${first.digest}`);
    assert.equal(deleteManifest.status, 403);
    await assertDenied(rule.id, `${image}@${first.digest}`, 'root');
    const still = await developer.api.get(`/v2/${image}/manifests/release-1`, { accept: 'application/vnd.oci.image.manifest.v1+json' });
    assert.equal(still.headers.get('docker-content-digest'), first.digest);
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Api, basic } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { OciWorkspace, tryPushSmallImage, pushSmallImage } from '../support/oci-workspace.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
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

    // GitLab's limit: five protected rules per project.
    const levels = { minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'maintainer' };
    const five = [];
    for (const n of [1, 2, 3, 4, 5]) five.push(await maintainer.api.expect(201, 'POST', rules, { tag_name_pattern: `^limit-${n}$`, ...levels }));
    assert.equal((await maintainer.api.post(rules, { tag_name_pattern: '^limit-6$', ...levels })).status, 422);
    for (const rule of five) await maintainer.api.expect(204, 'DELETE', `${rules}/${rule.id}`);
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

    const deploy = await world.deployToken('projects', projectId, 'ci', ['read_registry', 'write_registry']);
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

  it('skopeo copy to a protected tag: refused for a developer with the rule in its error, done for a maintainer', async () => {
    const rule = await maintainer.api.expect(201, 'POST', rules, { tag_name_pattern: '^live$', minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'maintainer' });
    const oci = new OciWorkspace(tempDir('trove-oci-governance-'));
    const built = await oci.image('live', { 'app.txt': 'live\n' });
    const destination = `docker://${new URL(trove.baseUrl).host}/${image}:live`;
    const refused = await oci.copy(built, destination, `dev:${developer.token}`);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`denied.*protection rule ${rule.id}`, 's'));
    await assertDenied(rule.id, `${image}:live`, 'dev');
    const done = await oci.copy(built, destination, `max:${maintainer.token}`);
    assert.equal(done.code, 0, done.stderr);
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
    // Deleting the project would delete the tag with it: refused too, naming the rule.
    const projectDelete = await world.root.request('DELETE', `/api/v4/projects/${projectId}`);
    assert.equal(projectDelete.status, 403, projectDelete.text);
    assert.match(projectDelete.body.message, new RegExp(`immutable rule ${rule.id} `));
    assert.equal((await developer.api.get(`/v2/${image}/tags/list`)).status, 200);
  });
});

describe('container registry governance: the container expiration policy', () => {
  const SHIFTED_CLOCK = fileURLToPath(new URL('../support/shifted-clock.mjs', import.meta.url));
  const DAYS_AGO_40 = String(-40 * 86_400_000);
  let trove: RunningTrove;
  let world: World;
  let maintainer: TestUser;
  let developer: TestUser;
  let projectId: number;
  let projectEvents: string;
  let immutableRule: { id: number };
  let protectedRule: { id: number };

  before(async () => {
    // Day -40: the old tags (and the accounts) come into existence; then the same data folder and
    // database again, today, where the scheduler looks for due policies every half second.
    const dataDir = join(tempDir(), 'data');
    const past = await startTrove({ dataDir, nodeArgs: ['--import', SHIFTED_CLOCK], env: { TROVE_TEST_CLOCK_SHIFT_MS: DAYS_AGO_40 } });
    const pastWorld = new World(past);
    const group = await pastWorld.group('acme');
    projectId = (await pastWorld.project('app', group.id)).id;
    maintainer = await pastWorld.user('max');
    developer = await pastWorld.user('dev');
    await pastWorld.addMember('projects', projectId, maintainer, MAINTAINER);
    await pastWorld.addMember('projects', projectId, developer, DEVELOPER);
    const rules = `/api/v4/projects/${projectId}/registry/protection/tag/rules`;
    immutableRule = await pastWorld.root.expect(201, 'POST', rules, { tag_name_pattern: '^stable', immutable: true });
    protectedRule = await maintainer.api.expect(201, 'POST', rules, { tag_name_pattern: '^prod', minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'maintainer' });
    // Pushed one after the other: within a repository, the later push is the more recent tag.
    for (const tag of ['old-1', 'old-2', 'keep-old', 'stable-old', 'prod-old']) await pushSmallImage(maintainer.api, 'acme/app', tag, `app ${tag}`);
    for (const tag of ['w-old-1', 'w-old-2']) await pushSmallImage(maintainer.api, 'acme/app/worker', tag, `worker ${tag}`);
    await past.stop();

    trove = await startTrove({
      dataDir,
      env: {
        TROVE_ROOT_TOKEN: past.rootToken,
        ...(past.databaseUrl ? { TROVE_DATABASE_URL: past.databaseUrl } : {}),
        TROVE_JOB_LEASE_SECONDS: '2',
        TROVE_JOB_INTERVALS: 'container-expiration-policies=500ms',
      },
    });
    world = new World(trove);
    for (const user of [maintainer, developer]) user.api = new Api(trove.baseUrl, user.api.auth);
    for (const tag of ['new-1', 'new-2']) await pushSmallImage(maintainer.api, 'acme/app', tag, `app ${tag}`);
    projectEvents = `/api/v4/projects/${projectId}/audit_events`;
  });

  after(async () => {
    await trove?.stop();
  });

  it('is saved with the project (maintainers, audited), deletes as the system actor, and keeps what it must', async () => {
    const project = `/api/v4/projects/${projectId}`;
    const attributes = { enabled: true, cadence: '1d', keep_n: 1, older_than: '30d', name_regex: '.*', name_regex_keep: 'keep-.*' };
    assert.equal((await developer.api.put(project, { container_expiration_policy_attributes: attributes })).status, 403);
    assert.equal((await maintainer.api.put(project, { container_expiration_policy_attributes: { keep_n: 3 } })).status, 400, "GitLab's keep_n values only");
    const saved = await maintainer.api.expect(200, 'PUT', project, { container_expiration_policy_attributes: attributes });
    assert.deepEqual({ ...saved.container_expiration_policy, next_run_at: null }, { ...attributes, next_run_at: null });
    assert.ok(Date.parse(saved.container_expiration_policy.next_run_at) > Date.now(), 'first run in a day');
    const shown = await maintainer.api.expect(200, 'GET', project);
    assert.deepEqual(shown.container_expiration_policy, saved.container_expiration_policy);
    const updated = await latestEvent(world.root, projectEvents, 'container_expiration_policy_updated');
    assert.equal(updated.actor.username, 'max');
    assert.deepEqual(updated.changes.name_regex_keep, { from: null, to: 'keep-.*' });
    assert.equal((await maintainer.api.put(project, { container_expiration_policy_attributes: { next_run_at: new Date().toISOString() } })).status, 403, 'only an administrator moves next_run_at');

    // An administrator makes the policy due now (as for package cleanup policies); the scheduler runs it.
    await world.root.expect(200, 'PUT', project, { container_expiration_policy_attributes: { next_run_at: new Date(Date.now() - 60_000).toISOString() } });
    let executed: any;
    for (const deadline = Date.now() + 60_000; !executed; ) {
      assert.ok(Date.now() < deadline, 'the scheduler did not run the due policy');
      const listed = await world.root.expect(200, 'GET', `${projectEvents}?event_name=container_expiration_policy_executed`);
      executed = listed[0];
      if (!executed) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(executed.outcome, 'success');
    assert.equal(executed.actor.type, 'system');
    assert.equal(executed.actor.name, 'Container registry cleanup policy');
    // acme/app: keep-old is kept by name_regex_keep (matched against the whole name, as GitLab does), new-2 as the newest, new-1 as younger than 30 days;
    // acme/app/worker: w-old-2 as its newest. The protected and immutable tags are refused to the policy.
    assert.deepEqual([...executed.changes.tags_deleted.to].sort(), ['acme/app/worker:w-old-1', 'acme/app:old-1', 'acme/app:old-2']);
    assert.deepEqual(executed.changes.tags_skipped.to.map((s: any) => s.tag).sort(), ['acme/app:prod-old', 'acme/app:stable-old']);
    const reasons = executed.changes.tags_skipped.to.map((s: any) => s.reason).sort();
    assert.match(reasons[0], new RegExp(`protection rule ${protectedRule.id} .*no automatic process may delete it`));
    assert.match(reasons[1], new RegExp(`immutable rule ${immutableRule.id} .*nobody may delete`));
    assert.equal(executed.changes.tags_considered.to, 9);

    const deleted = await world.root.expect(200, 'GET', `${projectEvents}?event_name=container_registry_tag_deleted`);
    assert.deepEqual(deleted.map((e: any) => `${e.package.name}:${e.package.version}`).sort(), ['acme/app/worker:w-old-1', 'acme/app:old-1', 'acme/app:old-2']);
    for (const event of deleted) assert.deepEqual(event.actor, executed.actor, 'the system actor, naming the policy');
    const tags = await maintainer.api.expect(200, 'GET', '/v2/acme/app/tags/list');
    assert.deepEqual(tags.tags.sort(), ['keep-old', 'new-1', 'new-2', 'prod-old', 'stable-old']);
    const workerTags = await maintainer.api.expect(200, 'GET', '/v2/acme/app/worker/tags/list');
    assert.deepEqual(workerTags.tags, ['w-old-2']);
  });
});

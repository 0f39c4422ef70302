import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { latestEvent } from '../support/audit.js';
import { curl } from '../support/generic-curl.js';
import { Maven } from '../support/maven.js';
import { makePackage, NpmClient } from '../support/npm-client.js';
import { buildProject, twineUpload } from '../support/python-client.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Package protection rules (docs/api.md#package-protection-rules) through the real clients: npm,
// twine, mvn and curl are refused by a rule as a developer and let through as a maintainer; deploy
// tokens only where the rule allows them; deletes need the rule's level; a group's rule binds the
// projects of its subgroups; cleanup policies keep protected versions. Every refusal is a
// publish_denied event naming the rule, and every rule change is audited with before and after.

const DENIED = 'package_registry_package_publish_denied';

describe('package protection rules', () => {
  let trove: RunningTrove;
  let world: World;
  let acme: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let owner: TestUser;
  let maintainer: TestUser;
  let developer: TestUser;
  let bot: { token: string; username: string };
  const files = tempDir('trove-protection-files-');
  const rules = (kind = 'projects', id = project.id) => `/api/v4/${kind}/${id}/packages/protection/rules`;
  const projectEvents = (id = project.id) => `/api/v4/projects/${id}/audit_events`;
  const generic = (projectId: number, name: string, version: string, file: string) =>
    `${trove.baseUrl}/api/v4/projects/${projectId}/packages/generic/${name}/${version}/${file}`;

  async function rule(body: Record<string, unknown>, kind = 'projects', id = project.id): Promise<any> {
    return maintainer.api.expect(201, 'POST', rules(kind, id), body);
  }

  /** The newest publish_denied of the project names the rule (id and pattern). */
  async function assertDeniedBy(created: any, projectId = project.id): Promise<void> {
    const denied = await latestEvent(world.root, projectEvents(projectId), DENIED);
    assert.match(denied.reason, new RegExp(`rule ${created.id} \\(${created.package_type} "${created.package_name_pattern.replace(/[*.]/g, '\\$&')}"\\)`));
  }

  async function curlUpload(headers: string[], projectId: number, name: string, version: string) {
    const file = join(files, `${name}-${version}.bin`);
    writeFileSync(file, `${name} ${version}\n`);
    return curl([...headers, '--upload-file', file, generic(projectId, name, version, 'artifact.bin')]);
  }
  const asUser = (user: TestUser) => ['-H', `PRIVATE-TOKEN: ${user.token}`];

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    acme = await world.group('acme');
    project = await world.project('web-app', acme.id);
    owner = await world.user('olivia');
    maintainer = await world.user('max');
    developer = await world.user('dana');
    await world.addMember('groups', acme.id, owner, 50);
    await world.addMember('groups', acme.id, maintainer, 40);
    await world.addMember('groups', acme.id, developer, 30);
    bot = await world.deployToken('projects', project.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
  });

  after(async () => {
    await trove?.stop();
  });

  it('refuses bad patterns, types and levels with 400, a developer with 403, a duplicate with 422', async () => {
    const good = { package_name_pattern: 'valid-*', package_type: 'generic', minimum_access_level_for_push: 'maintainer' };
    for (const bad of [
      { ...good, package_name_pattern: 'has space' },
      { ...good, package_name_pattern: '' },
      { ...good, package_type: 'nuget' },
      { ...good, minimum_access_level_for_push: 'developer' },
      { ...good, minimum_access_level_for_push: null },
      { package_type: 'npm', minimum_access_level_for_push: 'owner' },
    ]) {
      const res = await maintainer.api.post(rules(), bad);
      assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${res.text}`);
      assert.equal(typeof (res.body.message ?? res.body.error), 'string', 'GitLab\'s message, or error for a schema violation');
    }
    assert.equal((await developer.api.post(rules(), good)).status, 403);
    assert.equal((await developer.api.get(rules())).status, 403);
    const created = await rule(good);
    assert.equal((await maintainer.api.post(rules(), good)).status, 422);
    const patched = await maintainer.api.request('PATCH', `${rules()}/${created.id}`, { minimum_access_level_for_push: 'root' });
    assert.equal(patched.status, 400, patched.text);
    await maintainer.api.expect(204, 'DELETE', `${rules()}/${created.id}`);
  });

  it('audits every rule change with before and after, on the project', async () => {
    const created = await rule({ package_name_pattern: 'audited-*', package_type: 'npm', minimum_access_level_for_push: 'maintainer' });
    assert.deepEqual(
      { ...created, id: 0, created_at: '', updated_at: '' },
      {
        id: 0, project_id: project.id, group_id: null, package_name_pattern: 'audited-*', package_type: 'npm',
        minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: null, allow_deploy_tokens: false, created_at: '', updated_at: '',
      },
    );
    const createdEvent = await latestEvent(world.root, projectEvents(), 'package_protection_rule_created');
    assert.equal(createdEvent.actor.username, 'max');
    assert.deepEqual(createdEvent.changes.package_name_pattern, { from: null, to: 'audited-*' });
    assert.deepEqual(createdEvent.changes.minimum_access_level_for_push, { from: null, to: 'maintainer' });

    await maintainer.api.expect(200, 'PATCH', `${rules()}/${created.id}`, { minimum_access_level_for_push: 'owner', allow_deploy_tokens: true });
    const updated = await latestEvent(world.root, projectEvents(), 'package_protection_rule_updated');
    assert.deepEqual(updated.changes, {
      minimum_access_level_for_push: { from: 'maintainer', to: 'owner' },
      allow_deploy_tokens: { from: false, to: true },
    });

    await maintainer.api.expect(204, 'DELETE', `${rules()}/${created.id}`);
    const deleted = await latestEvent(world.root, projectEvents(), 'package_protection_rule_deleted');
    assert.equal(deleted.details.target_id, created.id);
    assert.deepEqual(deleted.changes.minimum_access_level_for_push, { from: 'owner', to: null });
    assert.equal((await maintainer.api.get(`${rules()}/${created.id}`)).status, 404);
  });

  it('npm publish of a protected name: refused for a developer with the rule in npm\'s error, allowed for a maintainer', async () => {
    const created = await rule({ package_name_pattern: '@acme/*', package_type: 'npm', minimum_access_level_for_push: 'maintainer' });
    const registry = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/`;
    const refused = await new NpmClient(registry, developer.token).npm(['publish'], makePackage('@acme/ui-kit', '1.0.0'));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`protection rule ${created.id}`));
    await assertDeniedBy(created);
    const other = await new NpmClient(registry, developer.token).npm(['publish'], makePackage('@acme-labs/tool', '1.0.0'));
    assert.equal(other.code, 0, `an unprotected name: ${other.stderr}`);
    const allowed = await new NpmClient(registry, maintainer.token).npm(['publish'], makePackage('@acme/ui-kit', '1.0.0'));
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  it('twine upload of a protected name: refused for a developer, allowed for a maintainer', async () => {
    const created = await rule({ package_name_pattern: 'probe-*', package_type: 'pypi', minimum_access_level_for_push: 'maintainer' });
    const dist = await buildProject({ name: 'Probe.Guarded', version: '1.0.0', module: 'probe_guarded' });
    const url = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/pypi`;
    const refused = await twineUpload(url, 'dana', developer.token, [dist.wheel, dist.sdist]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /403/);
    await assertDeniedBy(created);
    const allowed = await twineUpload(url, 'max', maintainer.token, [dist.wheel, dist.sdist]);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
  });

  it('mvn deploy of a protected artifact: refused for a developer with the rule as reason, allowed for a maintainer', async () => {
    const created = await rule({ package_name_pattern: 'com/acme/*', package_type: 'maven', minimum_access_level_for_push: 'maintainer' });
    const jar = join(files, 'guarded.jar');
    writeFileSync(jar, 'not really a jar, Maven does not look\n');
    const coordinates = { groupId: 'com.acme', artifactId: 'guarded', version: '1.0' };
    const url = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/maven`;
    const refused = await Maven.create({ basic: { username: 'dana', token: developer.token } }).deployFile(jar, coordinates, url);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /403/);
    assert.match(refused.stdout + refused.stderr, new RegExp(`protection rule ${created.id}`));
    await assertDeniedBy(created);
    const allowed = await Maven.create({ basic: { username: 'max', token: maintainer.token } }).deployFile(jar, coordinates, url);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
  });

  it('curl: a developer and a deploy token are refused; the deploy token passes once the rule allows deploy tokens', async () => {
    const created = await rule({ package_name_pattern: 'tool*', package_type: 'generic', minimum_access_level_for_push: 'maintainer' });
    const asDeveloper = await curlUpload(asUser(developer), project.id, 'tool', '1.0.0');
    assert.equal(asDeveloper.status, 403, asDeveloper.body);
    assert.match(asDeveloper.json.message, new RegExp(`protection rule ${created.id}`));
    await assertDeniedBy(created);
    const job = await world.jobToken(project.id, { pipeline_id: 881, job_id: 4242, ref: 'main', sha: '3f2a1c9d8e7f', user_id: developer.id });
    const asJob = await curlUpload(['-H', `Job-Token: ${job.token}`], project.id, 'tool', '1.0.0');
    assert.equal(asJob.status, 403, `a CI job acts with its user's level: ${asJob.body}`);
    const asBot = await curlUpload(['-H', `Deploy-Token: ${bot.token}`], project.id, 'tool', '1.0.0');
    assert.equal(asBot.status, 403, asBot.body);
    assert.match(asBot.json.message, /deploy tokens are not allowed/);
    await maintainer.api.expect(200, 'PATCH', `${rules()}/${created.id}`, { allow_deploy_tokens: true });
    assert.equal((await curlUpload(['-H', `Deploy-Token: ${bot.token}`], project.id, 'tool', '1.0.0')).status, 201);
    assert.equal((await curlUpload(asUser(maintainer), project.id, 'tool', '1.0.1')).status, 201);
  });

  it('a delete through the packages API needs the rule\'s level: owner, not maintainer', async () => {
    const created = await rule({ package_name_pattern: 'release-notes', package_type: 'generic', minimum_access_level_for_delete: 'owner' });
    assert.equal((await curlUpload(asUser(developer), project.id, 'release-notes', '2.0.0')).status, 201, 'push is not protected');
    const [pkg] = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_name=release-notes`);
    const refused = await maintainer.api.request('DELETE', `/api/v4/projects/${project.id}/packages/${pkg.id}`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, new RegExp(`protection rule ${created.id}`));
    await assertDeniedBy(created);
    await owner.api.expect(204, 'DELETE', `/api/v4/projects/${project.id}/packages/${pkg.id}`);
  });

  it('a group rule binds the projects of its subgroups and shows in their rule list', async () => {
    const platform = await world.group('platform', acme.id);
    const service = await world.project('service', platform.id);
    const created = await rule({ package_name_pattern: 'grp-*', package_type: 'generic', minimum_access_level_for_push: 'owner' }, 'groups', acme.id);
    assert.equal(created.group_id, acme.id);
    assert.equal(created.project_id, null);
    const groupEvent = await latestEvent(world.root, `/api/v4/groups/${acme.id}/audit_events`, 'package_protection_rule_created');
    assert.equal(groupEvent.details.target_id, created.id);
    const own = await rule({ package_name_pattern: 'svc-*', package_type: 'npm', minimum_access_level_for_push: 'maintainer' }, 'projects', service.id);
    const listed = await maintainer.api.expect(200, 'GET', rules('projects', service.id));
    assert.deepEqual(listed.map((r: any) => [r.id, r.group_id]), [[created.id, acme.id], [own.id, null]]);
    const page = await maintainer.api.get(`${rules('projects', service.id)}?per_page=1&page=2`);
    assert.deepEqual([page.headers.get('x-total'), page.body.map((r: any) => r.id)], ['2', [own.id]], 'paginated as GitLab lists are');
    assert.equal((await maintainer.api.request('PATCH', `${rules('projects', service.id)}/${created.id}`, { allow_deploy_tokens: true })).status, 404, 'changed on the group only');
    assert.equal((await curlUpload(asUser(maintainer), service.id, 'grp-lib', '1.0.0')).status, 403);
    await assertDeniedBy(created, service.id);
    assert.equal((await curlUpload(asUser(owner), service.id, 'grp-lib', '1.0.0')).status, 201);
    // `admin` is above every project role: the owner is refused, an administrator is not.
    await maintainer.api.expect(200, 'PATCH', `${rules('groups', acme.id)}/${created.id}`, { minimum_access_level_for_push: 'admin' });
    assert.equal((await curlUpload(asUser(owner), service.id, 'grp-lib', '1.0.1')).status, 403);
    assert.equal((await curlUpload(['-H', `PRIVATE-TOKEN: ${trove.rootToken}`], service.id, 'grp-lib', '1.0.1')).status, 201);
    await maintainer.api.expect(204, 'DELETE', `${rules('groups', acme.id)}/${created.id}`);
  });

  it('a cleanup policy keeps protected versions and lists them, with the rule, in its run event', async () => {
    const kept = await world.project('kept', acme.id);
    for (const version of ['1.0.0', '1.0.1', '1.0.2']) assert.equal((await curlUpload(asUser(maintainer), kept.id, 'keepme', version)).status, 201);
    const created = await rule({ package_name_pattern: 'keepme', package_type: 'generic', minimum_access_level_for_delete: 'maintainer' }, 'projects', kept.id);
    const policy = `/api/v4/projects/${kept.id}/packages/cleanup_policy`;
    await maintainer.api.expect(200, 'PUT', policy, { enabled: true, keep_n_versions: 1, older_than_days: 0 });
    const run = await maintainer.api.expect(200, 'POST', `${policy}/run`);
    assert.deepEqual(run.deleted, []);
    assert.deepEqual(run.errors, []);
    assert.deepEqual(run.skipped.map((i: any) => i.version).sort(), ['1.0.0', '1.0.1']);
    const executed = await latestEvent(world.root, projectEvents(kept.id), 'package_registry_cleanup_policy_executed');
    assert.equal(executed.outcome, 'success');
    assert.deepEqual(executed.changes.versions_skipped.to.map((i: any) => i.version).sort(), ['1.0.0', '1.0.1']);
    for (const item of executed.changes.versions_skipped.to) assert.match(item.reason, new RegExp(`rule ${created.id} \\(generic "keepme"\\)`));
    assert.match(executed.details.custom_message, /kept 2 protected/);
    const left = await world.root.expect(200, 'GET', `/api/v4/projects/${kept.id}/packages?package_name=keepme`);
    assert.equal(left.length, 3);
    // Deleting the project deletes every version through the same check: refused (and audited)
    // while the rule asks for an admin, done by the owner once it asks for an owner, rule and all.
    await maintainer.api.expect(200, 'PATCH', `${rules('projects', kept.id)}/${created.id}`, { minimum_access_level_for_delete: 'admin' });
    const refused = await owner.api.request('DELETE', `/api/v4/projects/${kept.id}`);
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.body.message, new RegExp(`protection rule ${created.id}`));
    await assertDeniedBy(created, kept.id);
    await maintainer.api.expect(200, 'PATCH', `${rules('projects', kept.id)}/${created.id}`, { minimum_access_level_for_delete: 'owner' });
    await owner.api.expect(202, 'DELETE', `/api/v4/projects/${kept.id}`);
    assert.equal((await world.root.get(rules('projects', kept.id))).status, 404);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventCount, latestEvent } from '../support/audit.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { buildProject, twineUpload, type BuiltProject } from '../support/python-client.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';
import { blobsCollected, fastBlobGc } from '../support/background-jobs.js';
import { storedBlobs } from '../support/stored-blobs.js';

// Packages cleanup policies (docs/api.md#cleanup-policies): a project with 5 npm versions (`latest` moved to an older
// one) and 3 PyPI versions (uploaded by twine), a policy keeping 2 versions per package older than
// 0 days. The dry run previews, "run now" and the scheduler delete exactly the expected versions,
// each deletion audited with the system actor and the rule, each run with one executed event.

const NPM_NAME = '@acme/ui-kit';
const NPM_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4'];
const PYPI_VERSIONS = ['0.1.0', '0.2.0', '0.3.0'];
const RULE = 'keep_n_versions=2, older_than_days=0';
// keep 2 newest (1.0.3, 1.0.4 / 0.2.0, 0.3.0) and the `latest` tag (1.0.1): the rest goes.
const EXPECTED_DELETED = ['npm @acme/ui-kit 1.0.0', 'npm @acme/ui-kit 1.0.2', 'pypi Probe.Hello 0.1.0'];
const EXPECTED_KEPT = ['npm @acme/ui-kit 1.0.1', 'npm @acme/ui-kit 1.0.3', 'npm @acme/ui-kit 1.0.4', 'pypi Probe.Hello 0.2.0', 'pypi Probe.Hello 0.3.0'];
const DELETED = 'package_registry_package_deleted';
const EXECUTED = 'package_registry_cleanup_policy_executed';
const UPDATED = 'package_registry_cleanup_policy_updated';

const label = (p: { package_type: string; name: string; version: string }) => `${p.package_type} ${p.name} ${p.version}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('packages cleanup policy', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number };
  let maintainer: TestUser;
  let developer: TestUser;
  let reporter: TestUser;
  let outsider: TestUser;
  let dists: BuiltProject[];
  const policyPath = (projectId: number) => `/api/v4/projects/${projectId}/packages/cleanup_policy`;
  const projectEvents = (projectId: number) => `/api/v4/projects/${projectId}/audit_events`;

  before(async () => {
    // The scheduler looks for due policies every second here (10 minutes by default), and the
    // blob collector runs every half second.
    trove = await startTrove({ env: fastBlobGc(['cleanup-policies=1s']) });
    world = new World(trove);
    group = await world.group('acme');
    maintainer = await world.user('max');
    developer = await world.user('dana');
    reporter = await world.user('rita');
    outsider = await world.user('olga');
    await world.addMember('groups', group.id, maintainer, 40);
    await world.addMember('groups', group.id, developer, 30);
    await world.addMember('groups', group.id, reporter, 20);
    dists = await Promise.all(PYPI_VERSIONS.map((version) => buildProject({ name: 'Probe.Hello', version, module: 'probe_hello' })));
  });

  after(async () => {
    await trove?.stop();
  });

  /** A new project with the 8 versions; npm `latest` moved back to 1.0.1. */
  async function filledProject(path: string): Promise<{ id: number }> {
    const project = await world.project(path, group.id);
    const npm = `/api/v4/projects/${project.id}/packages/npm`;
    for (const version of NPM_VERSIONS) {
      await world.root.expect(200, 'PUT', `${npm}/${encodeURIComponent(NPM_NAME)}`, publishBody(NPM_NAME, version, await packageTarball(NPM_NAME, version)));
    }
    const tag = await world.root.request('PUT', `${npm}/-/package/${encodeURIComponent(NPM_NAME)}/dist-tags/latest`, '"1.0.1"');
    assert.equal(tag.status, 200, tag.text);
    const deploy = await world.deployToken('projects', project.id, 'release-bot', ['write_package_registry']);
    for (const dist of dists) {
      const upload = await twineUpload(`${trove.baseUrl}/api/v4/projects/${project.id}/packages/pypi`, '__token__', deploy.token, [dist.wheel, dist.sdist]);
      assert.equal(upload.code, 0, upload.stdout + upload.stderr);
    }
    return project;
  }

  async function packagesOf(projectId: number): Promise<any[]> {
    return world.root.expect(200, 'GET', `/api/v4/projects/${projectId}/packages?per_page=100`);
  }

  /** The sha256 of every file of these packages. */
  async function blobsOf(projectId: number, packages: any[]): Promise<string[]> {
    const shas: string[] = [];
    for (const pkg of packages) {
      for (const file of await world.root.expect(200, 'GET', `/api/v4/projects/${projectId}/packages/${pkg.id}/package_files`)) {
        shas.push(file.file_sha256 as string);
      }
    }
    return shas;
  }

  async function deletedEvents(projectId: number): Promise<any[]> {
    return world.root.expect(200, 'GET', `${projectEvents(projectId)}?event_name=${DELETED}&per_page=100`);
  }

  /** What every cleanup deletion must say: the policy as a system actor, never a user, and the rule. */
  function assertSystemDeletion(event: any, policyId: number, project: { id: number; full_path: string }) {
    assert.deepEqual(event.actor, {
      type: 'system',
      user_id: null,
      username: null,
      token_id: null,
      token_name: null,
      token_owner_path: null,
      name: 'Packages cleanup policy',
      policy_id: policyId,
      project,
    });
    assert.equal(event.via, 'system');
    assert.equal(event.client, null);
    assert.equal(event.author_id, -3);
    assert.equal(event.details.author_name, 'Packages cleanup policy');
    assert.equal(event.details.author_class, 'System');
    assert.equal(event.reason, RULE);
    assert.equal(event.outcome, 'success');
    assert.deepEqual(event.project, project);
    assert.ok(!/"(max|root|dana)"/.test(JSON.stringify(event)), `a user is named in ${JSON.stringify(event)}`);
  }

  it('refuses invalid regexes when saved, and leaves the policy as it was', async () => {
    const project = await world.project('refusals', group.id);
    for (const body of [
      { name_regex: '(unclosed' },
      { name_regex_keep: '*starts-with-a-quantifier' },
      { version_regex_keep: '[z-a]' },
      { version_regex_keep: 'a'.repeat(256) },
      { keep_n_versions: 0 },
      { cadence: '2d' },
      { keep_n: 5 },
    ]) {
      const res = await maintainer.api.put(policyPath(project.id), { enabled: true, keep_n_versions: 2, ...body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    }
    const res = await maintainer.api.put(policyPath(project.id), { name_regex: '(unclosed' });
    assert.match(res.body.message, /name_regex is not a valid regular expression/);
    const policy = await maintainer.api.expect(200, 'GET', policyPath(project.id));
    assert.deepEqual(policy, {
      id: null,
      project_id: project.id,
      enabled: false,
      cadence: '1d',
      keep_n_versions: null,
      older_than_days: null,
      name_regex: null,
      name_regex_keep: null,
      version_regex_keep: null,
      next_run_at: null,
    });
    assert.equal(await eventCount(world.root, projectEvents(project.id), `&event_name=${UPDATED}`), 0);
  });

  it('lets maintainers read, change and run the policy; reporters and developers get 403, others 404', async () => {
    const project = await world.project('access', group.id);
    await maintainer.api.expect(200, 'PUT', policyPath(project.id), { keep_n_versions: 3 });
    for (const user of [reporter, developer]) {
      assert.equal((await user.api.get(policyPath(project.id))).status, 403, user.username);
      assert.equal((await user.api.put(policyPath(project.id), { keep_n_versions: 1 })).status, 403, user.username);
      assert.equal((await user.api.post(`${policyPath(project.id)}/run?dry_run=true`)).status, 403, user.username);
    }
    assert.equal((await outsider.api.get(policyPath(project.id))).status, 404);
    assert.equal((await outsider.api.put(policyPath(project.id), { keep_n_versions: 1 })).status, 404);
    assert.equal((await outsider.api.post(`${policyPath(project.id)}/run`)).status, 404);
    assert.equal((await world.root.as({}).get(policyPath(project.id))).status, 401);
    // next_run_at follows the cadence; only an administrator may set it.
    const early = await maintainer.api.put(policyPath(project.id), { enabled: true, next_run_at: '2020-01-01T00:00:00Z' });
    assert.equal(early.status, 403, early.text);
    const policy = await maintainer.api.expect(200, 'GET', policyPath(project.id));
    assert.equal(policy.keep_n_versions, 3);
    assert.equal(policy.enabled, false);
    assert.equal(await eventCount(world.root, projectEvents(project.id), `&event_name=${UPDATED}`), 1);
  });

  describe('on a project with 5 npm and 3 PyPI versions', () => {
    let project: { id: number };
    let policyId: number;
    const projectRef = () => ({ id: project.id, full_path: 'acme/web-app' });

    before(async () => {
      project = await filledProject('web-app');
      assert.deepEqual((await packagesOf(project.id)).map(label).sort(), [...EXPECTED_DELETED, ...EXPECTED_KEPT].sort());
    });

    it('audits a change of the policy with before and after', async () => {
      const saved = await maintainer.api.expect(200, 'PUT', policyPath(project.id), {
        enabled: true,
        cadence: '7d',
        keep_n_versions: 2,
        older_than_days: 0,
        version_regex_keep: '^1\\.0\\.0$',
      });
      policyId = saved.id;
      assert.ok(Number.isInteger(policyId));
      const inAWeek = Date.parse(saved.next_run_at) - Date.now();
      assert.ok(inAWeek > 6.9 * 86_400_000 && inAWeek <= 7 * 86_400_000, saved.next_run_at);
      const event = await latestEvent(world.root, projectEvents(project.id), UPDATED);
      assert.equal(event.actor.username, 'max');
      assert.equal(event.actor.type, 'personal_access_token');
      assert.equal(event.via, 'api');
      assert.equal(event.details.target_type, 'Packages::Cleanup::Policy');
      assert.equal(event.details.target_id, policyId);
      assert.deepEqual(event.changes, {
        enabled: { from: false, to: true },
        cadence: { from: '1d', to: '7d' },
        keep_n_versions: { from: null, to: 2 },
        older_than_days: { from: null, to: 0 },
        version_regex_keep: { from: null, to: '^1\\.0\\.0$' },
        next_run_at: { from: null, to: saved.next_run_at },
      });

      // A second change records only what changed; the schedule stays.
      const cleared = await maintainer.api.expect(200, 'PUT', policyPath(project.id), { version_regex_keep: null });
      assert.equal(cleared.next_run_at, saved.next_run_at);
      const second = await latestEvent(world.root, projectEvents(project.id), UPDATED);
      assert.deepEqual(second.changes, { version_regex_keep: { from: '^1\\.0\\.0$', to: null } });
      // ... and a body that changes nothing records nothing.
      await maintainer.api.expect(200, 'PUT', policyPath(project.id), { keep_n_versions: 2 });
      assert.equal(await eventCount(world.root, projectEvents(project.id), `&event_name=${UPDATED}`), 2);
    });

    it('previews with dry_run=true, honouring version_regex_keep, and deletes nothing', async () => {
      const before = await packagesOf(project.id);
      await maintainer.api.expect(200, 'PUT', policyPath(project.id), { version_regex_keep: '^1\\.0\\.0$' });
      const kept = await maintainer.api.expect(200, 'POST', `${policyPath(project.id)}/run?dry_run=true`);
      assert.deepEqual(kept.selected.map(label), ['npm @acme/ui-kit 1.0.2', 'pypi Probe.Hello 0.1.0']);
      await maintainer.api.expect(200, 'PUT', policyPath(project.id), { version_regex_keep: null });

      const preview = await maintainer.api.expect(200, 'POST', `${policyPath(project.id)}/run?dry_run=true`);
      assert.equal(preview.dry_run, true);
      assert.equal(preview.policy_id, policyId);
      assert.equal(preview.versions_considered, 8);
      assert.deepEqual(preview.selected.map(label), EXPECTED_DELETED);
      assert.deepEqual(preview.selected.map((s: any) => s.reason), [RULE, RULE, RULE]);
      assert.deepEqual(preview.deleted, []);
      assert.deepEqual(preview.errors, []);
      assert.deepEqual(await packagesOf(project.id), before);
      assert.equal(await eventCount(world.root, projectEvents(project.id), `&event_name=${DELETED}`), 0);
      assert.equal(await eventCount(world.root, projectEvents(project.id), `&event_name=${EXECUTED}`), 0);
    });

    it('runs now: deletes exactly the expected versions, as the system actor with the rule, and their blobs', async () => {
      const packages = await packagesOf(project.id);
      const goners = packages.filter((p) => EXPECTED_DELETED.includes(label(p)));
      const goneBlobs = await blobsOf(project.id, goners);
      const keptBlobs = await blobsOf(project.id, packages.filter((p) => !EXPECTED_DELETED.includes(label(p))));
      assert.equal(goneBlobs.length, 4); // two npm tarballs, a wheel and an sdist
      const storedBefore = await storedBlobs(trove);
      assert.deepEqual([...goneBlobs, ...keptBlobs].filter((sha) => !storedBefore.includes(sha)), []);

      const result = await maintainer.api.expect(200, 'POST', `${policyPath(project.id)}/run`);
      assert.equal(result.dry_run, false);
      assert.deepEqual(result.deleted.map(label), EXPECTED_DELETED);
      assert.deepEqual(result.errors, []);
      assert.deepEqual((await packagesOf(project.id)).map(label).sort(), EXPECTED_KEPT);
      const latest = (await packagesOf(project.id)).find((p) => p.version === '1.0.1');
      assert.deepEqual(latest.tags.map((t: any) => t.name), ['latest']);

      const events = await deletedEvents(project.id);
      assert.deepEqual(events.map((e) => `${e.package.format} ${e.package.name} ${e.package.version}`).sort(), EXPECTED_DELETED);
      for (const event of events) assertSystemDeletion(event, policyId, projectRef());
      const pypiEvent = events.find((e) => e.package.format === 'pypi');
      assert.equal(pypiEvent.package.files.length, 2);

      await blobsCollected(world.root);
      const storedAfter = await storedBlobs(trove);
      assert.deepEqual(goneBlobs.filter((sha) => storedAfter.includes(sha)), []);
      assert.deepEqual(keptBlobs.filter((sha) => !storedAfter.includes(sha)), []);

      assert.equal(await eventCount(world.root, projectEvents(project.id), `&event_name=${EXECUTED}`), 1);
      const executed = await latestEvent(world.root, projectEvents(project.id), EXECUTED);
      assert.equal(executed.outcome, 'success');
      assert.equal(executed.actor.type, 'system');
      assert.equal(executed.actor.policy_id, policyId);
      assert.equal(executed.via, 'system');
      assert.equal(executed.changes.trigger.to, 'manual');
      assert.deepEqual(executed.changes.requested_by.to, { user_id: maintainer.id, username: 'max' });
      assert.equal(executed.changes.versions_considered.to, 8);
      assert.equal(executed.changes.versions_selected.to, 3);
      assert.equal(executed.changes.versions_deleted.to, 3);
      assert.deepEqual(executed.changes.errors.to, []);
      assert.ok(Number.isInteger(executed.changes.duration_ms.to) && executed.changes.duration_ms.to >= 0);
      assert.equal(executed.changes.duration_ms.to, result.duration_ms);
      assert.ok(executed.seq > Math.max(...events.map((e) => e.seq)), 'the executed event follows the deletions');

      // Nothing left to delete: a second run deletes nothing and says so.
      const again = await maintainer.api.expect(200, 'POST', `${policyPath(project.id)}/run`);
      assert.deepEqual(again.selected, []);
      assert.equal((await deletedEvents(project.id)).length, 3);
    });
  });

  it('the scheduler runs a due policy once, with the same result', async () => {
    const project = await filledProject('scheduled');
    const projectRef = { id: project.id, full_path: 'acme/scheduled' };
    const due = new Date(Date.now() - 60_000).toISOString();
    // Only an administrator may move next_run_at (here: into the past, to make the policy due now).
    const saved = await world.root.expect(200, 'PUT', policyPath(project.id), { enabled: true, keep_n_versions: 2, older_than_days: 0, next_run_at: due });
    assert.equal(saved.next_run_at, due);
    const deadline = Date.now() + 20_000;
    while ((await eventCount(world.root, projectEvents(project.id), `&event_name=${EXECUTED}`)) === 0) {
      assert.ok(Date.now() < deadline, 'the scheduler did not run the due policy');
      await sleep(200);
    }
    assert.deepEqual((await packagesOf(project.id)).map(label).sort(), EXPECTED_KEPT);
    const events = await deletedEvents(project.id);
    assert.deepEqual(events.map((e) => `${e.package.format} ${e.package.name} ${e.package.version}`).sort(), EXPECTED_DELETED);
    for (const event of events) assertSystemDeletion(event, saved.id, projectRef);
    const executed = await latestEvent(world.root, projectEvents(project.id), EXECUTED);
    assert.equal(executed.changes.trigger.to, 'schedule');
    assert.equal(executed.changes.requested_by.to, null);
    assert.equal(executed.changes.versions_deleted.to, 3);

    // The run advanced next_run_at by the cadence (1d), so the following ticks do not run it again.
    const policy = await world.root.expect(200, 'GET', policyPath(project.id));
    const inADay = Date.parse(policy.next_run_at) - Date.now();
    assert.ok(inADay > 23 * 3_600_000 && inADay <= 24 * 3_600_000, policy.next_run_at);
    await sleep(3000);
    assert.equal(await eventCount(world.root, projectEvents(project.id), `&event_name=${EXECUTED}`), 1);
    assert.equal((await deletedEvents(project.id)).length, 3);
  });

  it('aborts a pathological regex within its time limit and records the error', async () => {
    const project = await world.project('hostile', group.id);
    const name = `${'a'.repeat(40)}-b`; // (a+)+$ backtracks exponentially on the a's before "-b"
    for (const version of ['1.0.0', '1.0.1', '1.0.2']) {
      await world.root.expect(200, 'PUT', `/api/v4/projects/${project.id}/packages/npm/${name}`, publishBody(name, version, await packageTarball(name, version)));
    }
    await maintainer.api.expect(200, 'PUT', policyPath(project.id), { keep_n_versions: 1, name_regex: '(a+)+$' });

    const started = Date.now();
    const preview = await maintainer.api.expect(200, 'POST', `${policyPath(project.id)}/run?dry_run=true`);
    assert.deepEqual(preview.selected, []);
    assert.equal(preview.errors.length, 1);
    assert.match(preview.errors[0], /^name_regex aborted: .* did not finish within \d+ ms; nothing was deleted$/);

    const [result, health] = await Promise.all([maintainer.api.expect(200, 'POST', `${policyPath(project.id)}/run`), world.root.get('/-/health')]);
    assert.equal(health.status, 200);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.deepEqual(result.deleted, []);
    assert.match(result.errors[0], /^name_regex aborted/);
    assert.equal((await packagesOf(project.id)).length, 3);
    assert.equal(await eventCount(world.root, projectEvents(project.id), `&event_name=${DELETED}`), 0);
    const executed = await latestEvent(world.root, projectEvents(project.id), EXECUTED);
    assert.equal(executed.outcome, 'failure');
    assert.match(executed.reason, /name_regex aborted/);
    assert.deepEqual(executed.changes.errors.to, result.errors);
    assert.equal(executed.changes.versions_deleted.to, 0);

    // The same policy with a sane regex deletes as asked.
    await maintainer.api.expect(200, 'PUT', policyPath(project.id), { name_regex: '^a+-b$' });
    const sane = await maintainer.api.expect(200, 'POST', `${policyPath(project.id)}/run`);
    assert.deepEqual(sane.deleted.map((d: any) => d.version), ['1.0.0', '1.0.1']);
    assert.equal(sane.deleted[0].reason, 'keep_n_versions=1, name_regex=^a+-b$');
  });
});

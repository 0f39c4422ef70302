import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Api } from '../support/api.js';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// docs/architecture.md#scope-and-visibility (the setting) and docs/architecture.md#what-is-recorded: package_audit_events on groups and user namespaces, inherited
// downwards, changed only by owners, and every change audited, also the one that turns auditing off.

const SETTINGS_EVENT = 'package_registry_audit_settings_updated';

/** Versions of `name` whose publication was recorded (instance view). */
async function recordedVersions(root: Api, name: string): Promise<string[]> {
  const events = await allEvents(root, '/api/v4/audit_events', `&event_name=package_registry_package_published&package_name=${encodeURIComponent(name)}`);
  return events.map((e) => e.package.version).sort();
}

/** Versions of `name` that exist in the project, whatever the audit log says. */
async function storedVersions(root: Api, projectId: number, name: string): Promise<string[]> {
  const packages = await root.expect(200, 'GET', `/api/v4/projects/${projectId}/packages?per_page=100`);
  return packages.filter((p: any) => p.name === name).map((p: any) => p.version).sort();
}

describe('package audit settings', () => {
  let trove: RunningTrove;
  let world: World;
  let corp: { id: number };
  let team: { id: number };
  let app: { id: number };
  let owner: TestUser;
  let maintainer: TestUser;
  let reporter: TestUser;
  let outsider: TestUser;
  const settings = (id: number) => `/api/v4/groups/${id}/packages/settings`;
  const settingsEvents = async (groupId: number) => allEvents(owner.api, `/api/v4/groups/${groupId}/audit_events`, `&event_name=${SETTINGS_EVENT}`);

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    corp = await world.group('corp');
    team = await world.group('team', corp.id);
    app = await world.project('app', team.id);
    owner = await world.user('olga');
    maintainer = await world.user('mia');
    reporter = await world.user('rita');
    outsider = await world.user('nick');
    await world.addMember('groups', corp.id, owner, 50);
    await world.addMember('groups', corp.id, maintainer, 40);
    await world.addMember('groups', corp.id, reporter, 20);
  });

  after(async () => {
    await trove?.stop();
  });

  it('defaults to inherit, effectively enabled by the instance', async () => {
    for (const id of [corp.id, team.id]) {
      const body = await owner.api.expect(200, 'GET', settings(id));
      assert.equal(body.package_audit_events, 'inherit');
      assert.equal(body.package_audit_events_effective, 'enabled');
      assert.equal(body.package_audit_events_source, 'instance');
      assert.equal(body.package_download_events, 'inherit');
    }
    await publishOk(owner.api, app.id, 'corp-lib', '1.0.0');
    assert.deepEqual(await recordedVersions(world.root, 'corp-lib'), ['1.0.0']);
  });

  it('disabling a parent disables an inheriting subgroup, and the change itself is recorded', async () => {
    const updated = await owner.api.expect(200, 'PUT', settings(corp.id), { package_audit_events: 'disabled' });
    assert.deepEqual(
      [updated.package_audit_events, updated.package_audit_events_effective, updated.package_audit_events_source],
      ['disabled', 'disabled', 'corp'],
    );
    const child = await owner.api.expect(200, 'GET', settings(team.id));
    assert.deepEqual(
      [child.package_audit_events, child.package_audit_events_effective, child.package_audit_events_source],
      ['inherit', 'disabled', 'corp'],
    );
    const [event] = await settingsEvents(corp.id);
    assert.deepEqual(event.changes, { package_audit_events: { from: 'inherit', to: 'disabled' } });
    assert.equal(event.author_id, owner.id);
    assert.equal(event.entity_id, corp.id);
    assert.equal(event.details.target_details, 'corp');
    assert.equal(event.outcome, 'success');
  });

  it('records no package events below a disabled group, while the packages are stored', async () => {
    const before = (await allEvents(world.root, '/api/v4/audit_events')).length;
    await publishOk(owner.api, app.id, 'corp-lib', '1.1.0');
    assert.deepEqual(await storedVersions(world.root, app.id, 'corp-lib'), ['1.0.0', '1.1.0']);
    assert.deepEqual(await recordedVersions(world.root, 'corp-lib'), ['1.0.0']);
    assert.equal((await allEvents(world.root, '/api/v4/audit_events')).length, before, 'no event at all, tags included');
  });

  it('an enabled subgroup overrides its disabled parent', async () => {
    const updated = await owner.api.expect(200, 'PUT', settings(team.id), { package_audit_events: 'enabled' });
    assert.deepEqual([updated.package_audit_events_effective, updated.package_audit_events_source], ['enabled', 'corp/team']);
    await publishOk(owner.api, app.id, 'corp-lib', '1.2.0');
    assert.deepEqual(await recordedVersions(world.root, 'corp-lib'), ['1.0.0', '1.2.0']);
    const [event] = await settingsEvents(team.id);
    assert.deepEqual(event.changes, { package_audit_events: { from: 'inherit', to: 'enabled' } });
    const back = await owner.api.expect(200, 'PUT', settings(team.id), { package_audit_events: 'inherit' });
    assert.deepEqual([back.package_audit_events_effective, back.package_audit_events_source], ['disabled', 'corp']);
    assert.deepEqual((await settingsEvents(team.id))[0].changes, { package_audit_events: { from: 'enabled', to: 'inherit' } });
  });

  it('enabling again records again; a PUT that changes nothing records nothing', async () => {
    await owner.api.expect(200, 'PUT', settings(corp.id), { package_audit_events: 'enabled' });
    const events = await settingsEvents(corp.id);
    assert.equal(events.length, 2);
    assert.deepEqual(events[0].changes, { package_audit_events: { from: 'disabled', to: 'enabled' } });
    await publishOk(owner.api, app.id, 'corp-lib', '1.3.0');
    assert.deepEqual(await recordedVersions(world.root, 'corp-lib'), ['1.0.0', '1.2.0', '1.3.0']);
    await owner.api.expect(200, 'PUT', settings(corp.id), { package_audit_events: 'enabled' });
    assert.equal((await settingsEvents(corp.id)).length, 2);
    // Both keys in one change are one event.
    await owner.api.expect(200, 'PUT', settings(corp.id), { package_audit_events: 'inherit', package_download_events: 'enabled' });
    const [both] = await settingsEvents(corp.id);
    assert.deepEqual(both.changes, {
      package_audit_events: { from: 'enabled', to: 'inherit' },
      package_download_events: { from: 'inherit', to: 'enabled' },
    });
  });

  it('rejects invalid values and unknown keys with 400 and changes nothing', async () => {
    const before = await owner.api.expect(200, 'GET', settings(corp.id));
    const eventsBefore = (await settingsEvents(corp.id)).length;
    for (const body of [
      { package_audit_events: 'on' },
      { package_audit_events: true },
      { package_audit_events: null },
      { package_audit_events: 'ENABLED' },
      { package_download_events: 'maybe' },
      { audit: 'disabled' },
      { package_audit_events: 'disabled', colour: 'blue' },
    ]) {
      const res = await owner.api.put(settings(corp.id), body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      // {"error"} for a value the route's schema refuses, {"message"} for a field it does not take.
      assert.ok(res.body.message ?? res.body.error, 'GitLab error shape');
    }
    assert.deepEqual(await owner.api.expect(200, 'GET', settings(corp.id)), before);
    assert.equal((await settingsEvents(corp.id)).length, eventsBefore);
  });

  it('lets only owners change it: maintainer 403, non-member 404', async () => {
    const before = await owner.api.expect(200, 'GET', settings(corp.id));
    assert.equal((await maintainer.api.put(settings(corp.id), { package_audit_events: 'disabled' })).status, 403);
    assert.equal((await maintainer.api.put(settings(team.id), { package_audit_events: 'disabled' })).status, 403);
    assert.equal((await reporter.api.put(settings(corp.id), { package_audit_events: 'disabled' })).status, 403);
    assert.equal((await maintainer.api.get(settings(corp.id))).status, 200);
    assert.equal((await reporter.api.get(settings(corp.id))).status, 200);
    assert.equal((await outsider.api.put(settings(corp.id), { package_audit_events: 'disabled' })).status, 404);
    assert.equal((await outsider.api.get(settings(corp.id))).status, 404);
    assert.equal((await outsider.api.get(settings(999999))).status, 404);
    assert.deepEqual(await owner.api.expect(200, 'GET', settings(corp.id)), before);
  });

  it('lets a user namespace\'s owner, and only them, change theirs', async () => {
    const jane = await world.user('jane');
    const joe = await world.user('joe');
    const tools = await jane.api.expect(201, 'POST', '/api/v4/projects', { name: 'tools', path: 'tools' });
    const nsId = tools.namespace.id;
    const path = `/api/v4/namespaces/${nsId}/packages/settings`;
    const initial = await jane.api.expect(200, 'GET', '/api/v4/namespaces/jane/packages/settings');
    assert.deepEqual([initial.package_audit_events, initial.package_audit_events_effective], ['inherit', 'enabled']);

    assert.equal((await joe.api.put(path, { package_audit_events: 'disabled' })).status, 404);
    assert.equal((await joe.api.get(path)).status, 404);
    assert.equal((await jane.api.get(settings(nsId))).status, 404, 'a user namespace is not a group');

    const off = await jane.api.expect(200, 'PUT', path, { package_audit_events: 'disabled' });
    assert.deepEqual([off.package_audit_events_effective, off.package_audit_events_source], ['disabled', 'jane']);
    const [event] = await allEvents(world.root, '/api/v4/audit_events', `&event_name=${SETTINGS_EVENT}&author_id=${jane.id}`);
    assert.deepEqual(event.changes, { package_audit_events: { from: 'inherit', to: 'disabled' } });
    assert.deepEqual([event.entity_type, event.entity_id, event.details.target_details], ['User', jane.id, 'jane']);

    await publishOk(jane.api, tools.id, 'jane-lib', '1.0.0');
    assert.deepEqual(await storedVersions(world.root, tools.id, 'jane-lib'), ['1.0.0']);
    assert.deepEqual(await recordedVersions(world.root, 'jane-lib'), []);
    // Only package events follow the setting: the project's creation is on the record.
    assert.deepEqual((await allEvents(jane.api, `/api/v4/projects/${tools.id}/audit_events`)).map((e) => e.event_name), ['project_created']);

    await jane.api.expect(200, 'PUT', path, { package_audit_events: 'enabled' });
    await publishOk(jane.api, tools.id, 'jane-lib', '1.1.0');
    assert.deepEqual(await recordedVersions(world.root, 'jane-lib'), ['1.1.0']);
    assert.equal((await world.root.get(path)).status, 200, 'administrators see every namespace');
    assert.equal((await joe.api.put(path, { package_audit_events: 'disabled' })).status, 404);
    assert.equal((await jane.api.expect(200, 'GET', path)).package_audit_events, 'enabled');
  });
});

describe('package audit settings with TROVE_PACKAGE_AUDIT_EVENTS=disabled', () => {
  let trove: RunningTrove;
  let world: World;

  before(async () => {
    trove = await startTrove({ env: { TROVE_PACKAGE_AUDIT_EVENTS: 'disabled' } });
    world = new World(trove);
  });

  after(async () => {
    await trove?.stop();
  });

  it('makes disabled the instance default, and a group with enabled overrides it', async () => {
    const quiet = await world.group('quiet');
    const loud = await world.group('loud');
    const quietApp = await world.project('app', quiet.id);
    const loudApp = await world.project('app', loud.id);
    const initial = await world.root.expect(200, 'GET', `/api/v4/groups/${quiet.id}/packages/settings`);
    assert.deepEqual(
      [initial.package_audit_events, initial.package_audit_events_effective, initial.package_audit_events_source],
      ['inherit', 'disabled', 'instance'],
    );

    const on = await world.root.expect(200, 'PUT', `/api/v4/groups/${loud.id}/packages/settings`, { package_audit_events: 'enabled' });
    assert.deepEqual([on.package_audit_events_effective, on.package_audit_events_source], ['enabled', 'loud']);
    const [settingsEvent] = await allEvents(world.root, `/api/v4/groups/${loud.id}/audit_events`, `&event_name=${SETTINGS_EVENT}`);
    assert.deepEqual(settingsEvent.changes, { package_audit_events: { from: 'inherit', to: 'enabled' } });

    await publishOk(world.root, quietApp.id, 'quiet-lib', '1.0.0');
    await publishOk(world.root, loudApp.id, 'loud-lib', '1.0.0');
    assert.deepEqual(await storedVersions(world.root, quietApp.id, 'quiet-lib'), ['1.0.0']);
    assert.deepEqual(await recordedVersions(world.root, 'quiet-lib'), []);
    assert.deepEqual(await recordedVersions(world.root, 'loud-lib'), ['1.0.0']);

    // Credential events are always recorded.
    const bot = await world.deployToken('groups', quiet.id, 'quiet-bot', ['read_package_registry']);
    const [created] = await allEvents(world.root, `/api/v4/groups/${quiet.id}/audit_events`, '&event_name=deploy_token_created');
    assert.equal(created.details.target_id, bot.id);
  });
});

describe('package audit settings with TROVE_PACKAGE_AUDIT_EVENTS=enforced', () => {
  let trove: RunningTrove;
  let world: World;
  let quiet: { id: number };
  let app: { id: number };
  const settings = () => `/api/v4/groups/${quiet.id}/packages/settings`;

  before(async () => {
    // A group switched off first, under the default; then the instance restarts enforcing.
    const dataDir = join(tempDir(), 'data');
    const first = await startTrove({ dataDir });
    const firstWorld = new World(first);
    quiet = await firstWorld.group('quiet');
    app = await firstWorld.project('app', quiet.id);
    await firstWorld.root.expect(200, 'PUT', `/api/v4/groups/${quiet.id}/packages/settings`, { package_audit_events: 'disabled' });
    await first.stop();
    const dbEnv: Record<string, string> = first.databaseUrl ? { TROVE_DATABASE_URL: first.databaseUrl } : {};
    trove = await startTrove({ dataDir, env: { ...dbEnv, TROVE_ROOT_TOKEN: first.rootToken, TROVE_PACKAGE_AUDIT_EVENTS: 'enforced' } });
    world = new World(trove);
  });

  after(async () => {
    await trove?.stop();
  });

  it('keeps package events on where a group had turned them off', async () => {
    const current = await world.root.expect(200, 'GET', settings());
    assert.deepEqual(
      [current.package_audit_events, current.package_audit_events_effective, current.package_audit_events_source, current.package_audit_events_enforced],
      ['disabled', 'enabled', 'instance', true],
    );
    await publishOk(world.root, app.id, 'quiet-lib', '1.0.0');
    assert.deepEqual(await recordedVersions(world.root, 'quiet-lib'), ['1.0.0']);
  });

  it('refuses disabling them to everyone, administrators included; enabling stays open', async () => {
    const fresh = await world.group('fresh');
    const refused = await world.root.put(`/api/v4/groups/${fresh.id}/packages/settings`, { package_audit_events: 'disabled' });
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.body.message, /enforced/);
    assert.equal((await world.root.expect(200, 'GET', `/api/v4/groups/${fresh.id}/packages/settings`)).package_audit_events, 'inherit');
    const fixed = await world.root.expect(200, 'PUT', settings(), { package_audit_events: 'enabled' });
    assert.equal(fixed.package_audit_events, 'enabled');
  });
});

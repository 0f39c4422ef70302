import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Ways a maintainer could raise their own rights, each refused (docs/api.md#common-rules, GitLab's member rules):
// lowering or removing an owner, minting a CI job token in someone else's name, and owning a
// subgroup of their own to switch package auditing off there.

const OWNER = 50;
const MAINTAINER = 40;
const DEVELOPER = 30;
const REPORTER = 20;
const GUEST = 10;

describe('who may do what', () => {
  let trove: RunningTrove;
  let world: World;
  let olga: TestUser; // owner of corp, which she created
  let mia: TestUser; // maintainer of corp
  let rita: TestUser; // reporter of corp
  let otto: TestUser;
  let corp: { id: number; full_path: string };
  let app: { id: number };

  const levelIn = async (kind: 'groups' | 'projects', id: number, user: TestUser): Promise<number | undefined> => {
    const members = await world.root.expect(200, 'GET', `/api/v4/${kind}/${id}/members?per_page=100`);
    return members.find((m: any) => m.id === user.id)?.access_level;
  };

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    olga = await world.user('olga');
    mia = await world.user('mia');
    rita = await world.user('rita');
    otto = await world.user('otto');
    // Created by olga herself: she is its only owner (an admin-created group would have root too).
    corp = await olga.api.expect(201, 'POST', '/api/v4/groups', { name: 'corp', path: 'corp' });
    await olga.api.expect(201, 'POST', `/api/v4/groups/${corp.id}/members`, { user_id: mia.id, access_level: MAINTAINER });
    await olga.api.expect(201, 'POST', `/api/v4/groups/${corp.id}/members`, { user_id: rita.id, access_level: REPORTER });
    app = await olga.api.expect(201, 'POST', '/api/v4/projects', { name: 'app', path: 'app', namespace_id: corp.id });
  });

  after(async () => {
    await trove?.stop();
  });

  describe('group members', () => {
    it('a maintainer can neither demote nor remove an owner', async () => {
      const demote = await mia.api.put(`/api/v4/groups/${corp.id}/members/${olga.id}`, { access_level: GUEST });
      assert.equal(demote.status, 403, demote.text);
      assert.match(demote.body.message, /^403 Forbidden/);
      const remove = await mia.api.delete(`/api/v4/groups/${corp.id}/members/${olga.id}`);
      assert.equal(remove.status, 403, remove.text);
      assert.equal(await levelIn('groups', corp.id, olga), OWNER, 'olga is still the owner');
    });

    it('a maintainer grants nothing above their own level, but manages the members below it', async () => {
      const addOwner = await mia.api.post(`/api/v4/groups/${corp.id}/members`, { user_id: otto.id, access_level: OWNER });
      assert.equal(addOwner.status, 403, addOwner.text);
      const raise = await mia.api.put(`/api/v4/groups/${corp.id}/members/${rita.id}`, { access_level: OWNER });
      assert.equal(raise.status, 403, raise.text);
      assert.equal(await levelIn('groups', corp.id, otto), undefined);
      assert.equal(await levelIn('groups', corp.id, rita), REPORTER);

      await mia.api.expect(200, 'PUT', `/api/v4/groups/${corp.id}/members/${rita.id}`, { access_level: MAINTAINER });
      await mia.api.expect(200, 'PUT', `/api/v4/groups/${corp.id}/members/${rita.id}`, { access_level: DEVELOPER });
      await mia.api.expect(204, 'DELETE', `/api/v4/groups/${corp.id}/members/${rita.id}`);
      await mia.api.expect(201, 'POST', `/api/v4/groups/${corp.id}/members`, { user_id: rita.id, access_level: REPORTER });
    });

    it('the last owner can be neither removed nor demoted, by themself or by an administrator', async () => {
      for (const api of [olga.api, world.root]) {
        const demote = await api.put(`/api/v4/groups/${corp.id}/members/${olga.id}`, { access_level: MAINTAINER });
        assert.equal(demote.status, 403, demote.text);
        assert.match(demote.body.message, /last owner/);
        const remove = await api.delete(`/api/v4/groups/${corp.id}/members/${olga.id}`);
        assert.equal(remove.status, 403, remove.text);
        assert.match(remove.body.message, /last owner/);
      }
      assert.equal(await levelIn('groups', corp.id, olga), OWNER);
    });

    it('an administrator passes the level rules; with a second owner the first may step down', async () => {
      // root is no member of corp: as an administrator it may still make otto an owner.
      await world.root.expect(201, 'POST', `/api/v4/groups/${corp.id}/members`, { user_id: otto.id, access_level: OWNER });
      await olga.api.expect(200, 'PUT', `/api/v4/groups/${corp.id}/members/${olga.id}`, { access_level: MAINTAINER });
      const back = await olga.api.put(`/api/v4/groups/${corp.id}/members/${olga.id}`, { access_level: OWNER });
      assert.equal(back.status, 403, 'a maintainer cannot make herself owner again');
      // otto is now the last owner.
      const removeOtto = await world.root.delete(`/api/v4/groups/${corp.id}/members/${otto.id}`);
      assert.equal(removeOtto.status, 403, removeOtto.text);
      await otto.api.expect(200, 'PUT', `/api/v4/groups/${corp.id}/members/${olga.id}`, { access_level: OWNER });
    });

    it('two owners demoting each other at once leave one owner, every time', async () => {
      const duo = await olga.api.expect(201, 'POST', '/api/v4/groups', { name: 'duo', path: 'duo' });
      await olga.api.expect(201, 'POST', `/api/v4/groups/${duo.id}/members`, { user_id: otto.id, access_level: OWNER });
      for (let round = 0; round < 10; round++) {
        const [a, b] = await Promise.all([
          olga.api.put(`/api/v4/groups/${duo.id}/members/${otto.id}`, { access_level: MAINTAINER }),
          otto.api.put(`/api/v4/groups/${duo.id}/members/${olga.id}`, { access_level: MAINTAINER }),
        ]);
        assert.deepEqual([a.status, b.status].sort(), [200, 403], `round ${round}: ${a.text} ${b.text}`);
        const owners = [olga, otto].filter((_, i) => [b, a][i].status === 403);
        assert.equal(owners.length, 1);
        assert.equal(await levelIn('groups', duo.id, owners[0]), OWNER);
        const demoted = owners[0] === olga ? otto : olga;
        assert.equal(await levelIn('groups', duo.id, demoted), MAINTAINER);
        await owners[0].api.expect(200, 'PUT', `/api/v4/groups/${duo.id}/members/${demoted.id}`, { access_level: OWNER });
      }
    });

    it('in a subgroup the owners of the groups above count: its last direct owner can go', async () => {
      const team = await olga.api.expect(201, 'POST', '/api/v4/groups', { name: 'team', path: 'team', parent_id: corp.id });
      assert.equal(await levelIn('groups', team.id, olga), OWNER, 'the creator owns the subgroup');
      await olga.api.expect(204, 'DELETE', `/api/v4/groups/${team.id}/members/${olga.id}`);
      assert.equal(await levelIn('groups', team.id, olga), undefined);
    });
  });

  describe('project members', () => {
    it('a maintainer can neither demote nor remove a project owner, nor make one', async () => {
      await olga.api.expect(201, 'POST', `/api/v4/projects/${app.id}/members`, { user_id: otto.id, access_level: OWNER });
      const demote = await mia.api.put(`/api/v4/projects/${app.id}/members/${otto.id}`, { access_level: GUEST });
      assert.equal(demote.status, 403, demote.text);
      const remove = await mia.api.delete(`/api/v4/projects/${app.id}/members/${otto.id}`);
      assert.equal(remove.status, 403, remove.text);
      const addOwner = await mia.api.post(`/api/v4/projects/${app.id}/members`, { user_id: rita.id, access_level: OWNER });
      assert.equal(addOwner.status, 403, addOwner.text);
      assert.equal(await levelIn('projects', app.id, otto), OWNER);
      assert.equal(await levelIn('projects', app.id, rita), undefined);
    });

    it('an owner of the group above manages project owners', async () => {
      await olga.api.expect(200, 'PUT', `/api/v4/projects/${app.id}/members/${otto.id}`, { access_level: DEVELOPER });
      await olga.api.expect(204, 'DELETE', `/api/v4/projects/${app.id}/members/${otto.id}`);
    });
  });

  describe('CI job tokens', () => {
    const jobBody = { pipeline_id: 7, job_id: 70, ref: 'main', sha: 'abcdef1234567' };

    it('a maintainer cannot mint a job token for another user, so cannot publish as root', async () => {
      const root = await world.root.expect(200, 'GET', '/api/v4/user');
      const res = await mia.api.post(`/api/v4/projects/${app.id}/ci/job_tokens`, { ...jobBody, user_id: root.id });
      assert.equal(res.status, 403, res.text);
      assert.match(res.body.message, /administrator/);
      const issued = await allEvents(world.root, '/api/v4/audit_events', '&event_name=ci_job_token_issued');
      assert.equal(issued.length, 0, 'no token was issued');
      const [denied] = await allEvents(world.root, `/api/v4/projects/${app.id}/audit_events`, '&event_name=token_change_denied');
      assert.deepEqual(
        [denied.outcome, denied.actor.username, denied.details.target_type, denied.details.target_details, denied.changes.kind.to, denied.project.id],
        ['failure', 'mia', 'User', 'root', 'ci_job_token', app.id],
      );
      assert.match(denied.reason, /only an administrator may issue a job token for another user/);
    });

    it('a maintainer mints for themself (named or not); an administrator may name anyone', async () => {
      const own = await mia.api.expect(201, 'POST', `/api/v4/projects/${app.id}/ci/job_tokens`, jobBody);
      assert.equal(own.user_id, mia.id);
      const named = await mia.api.expect(201, 'POST', `/api/v4/projects/${app.id}/ci/job_tokens`, { ...jobBody, user_id: mia.id });
      assert.equal(named.user_id, mia.id);
      const byAdmin = await world.root.expect(201, 'POST', `/api/v4/projects/${app.id}/ci/job_tokens`, { ...jobBody, user_id: rita.id });
      assert.equal(byAdmin.user_id, rita.id);
    });
  });

  describe('tokens', () => {
    const refusals = async (path: string) => allEvents(world.root, path, '&event_name=token_change_denied');

    it('refuses a reporter a project deploy token, a maintainer a group one, and a user a token for someone else; each refusal recorded where it was tried', async () => {
      const body = { name: 'sneaky', scopes: ['write_package_registry'] };
      assert.equal((await rita.api.post(`/api/v4/projects/${app.id}/deploy_tokens`, body)).status, 403);
      assert.equal((await mia.api.post(`/api/v4/groups/${corp.id}/deploy_tokens`, body)).status, 403);
      assert.equal((await rita.api.post(`/api/v4/users/${olga.id}/personal_access_tokens`, body)).status, 403);
      const [onProject] = await refusals(`/api/v4/projects/${app.id}/audit_events`);
      assert.deepEqual([onProject.actor.username, onProject.custom_message ?? onProject.details.custom_message, onProject.changes.scopes.to], ['rita', 'Refused to create deploy token "sneaky"', ['write_package_registry']]);
      const onGroup = (await refusals(`/api/v4/groups/${corp.id}/audit_events`)).filter((e) => e.actor.username === 'mia' && e.changes.kind.to === 'deploy_token');
      assert.equal(onGroup.length, 1);
      assert.equal(onGroup[0].entity_type, 'Group');
      const onInstance = (await refusals('/api/v4/audit_events')).filter((e) => e.entity_type === 'Instance');
      assert.deepEqual(
        onInstance.map((e) => [e.actor.username, e.changes.kind.to, e.details.target_details]),
        [['rita', 'personal_access_token', 'olga']],
      );
      const created = await allEvents(world.root, '/api/v4/audit_events', '&event_name=deploy_token_created');
      assert.equal(created.filter((e) => e.actor.username !== 'olga').length, 0, 'no token was created');
    });

    it('records a refused revoke, and lists and reads of tokens stay unrecorded 403s', async () => {
      const token = await olga.api.expect(201, 'POST', `/api/v4/projects/${app.id}/deploy_tokens`, { name: 'ci-reader', scopes: ['read_package_registry'] });
      const before = (await refusals(`/api/v4/projects/${app.id}/audit_events`)).length;
      assert.equal((await rita.api.get(`/api/v4/projects/${app.id}/deploy_tokens`)).status, 403);
      assert.equal((await rita.api.get(`/api/v4/projects/${app.id}/deploy_tokens/${token.id}`)).status, 403);
      assert.equal((await rita.api.delete(`/api/v4/projects/${app.id}/deploy_tokens/${token.id}`)).status, 403);
      const after = await refusals(`/api/v4/projects/${app.id}/audit_events`);
      assert.equal(after.length, before + 1);
      assert.deepEqual([after[0].actor.username, after[0].changes.action.to, after[0].details.target_details], ['rita', 'revoke', `deploy token "${token.id}"`]);
      const outsider = await world.user('ozzy');
      assert.equal((await outsider.api.post(`/api/v4/projects/${app.id}/deploy_tokens`, { name: 'x', scopes: ['read_package_registry'] })).status, 404, 'an outsider learns nothing, and nothing is recorded against the project');
      assert.equal((await refusals(`/api/v4/projects/${app.id}/audit_events`)).length, before + 1);
    });
  });

  describe('package audit events in a subgroup', () => {
    const settings = (id: number) => `/api/v4/groups/${id}/packages/settings`;
    let mine: { id: number; full_path: string };
    let mineApp: { id: number };

    before(async () => {
      // A maintainer of corp may create a subgroup, and owns it.
      mine = await mia.api.expect(201, 'POST', '/api/v4/groups', { name: 'mine', path: 'mine', parent_id: corp.id });
      mineApp = await mia.api.expect(201, 'POST', '/api/v4/projects', { name: 'lib', path: 'lib', namespace_id: mine.id });
    });

    it('its owner cannot turn package audit events off unless they own the top-level group', async () => {
      const off = await mia.api.put(settings(mine.id), { package_audit_events: 'disabled' });
      assert.equal(off.status, 403, off.text);
      assert.match(off.body.message, /owner of the top-level group corp/);
      const after = await mia.api.expect(200, 'GET', settings(mine.id));
      assert.deepEqual([after.package_audit_events, after.package_audit_events_effective], ['inherit', 'enabled']);
      await publishOk(mia.api, mineApp.id, 'mine-lib', '1.0.0');
      const published = await allEvents(olga.api, `/api/v4/groups/${corp.id}/audit_events`, '&include_subgroups=true&event_name=package_registry_package_published');
      assert.deepEqual(published.map((e) => e.package.name), ['mine-lib'], 'the publish is recorded');
    });

    it('nor by inheriting a parent that has them off, while turning them on stays open', async () => {
      await olga.api.expect(200, 'PUT', settings(corp.id), { package_audit_events: 'disabled' });
      await mia.api.expect(200, 'PUT', settings(mine.id), { package_audit_events: 'enabled' });
      const inherit = await mia.api.put(settings(mine.id), { package_audit_events: 'inherit' });
      assert.equal(inherit.status, 403, inherit.text);
      assert.equal((await mia.api.expect(200, 'GET', settings(mine.id))).package_audit_events_effective, 'enabled');
      await olga.api.expect(200, 'PUT', settings(corp.id), { package_audit_events: 'inherit' });
    });

    it('an owner of the top-level group turns them off there, and that is recorded', async () => {
      await olga.api.expect(200, 'PUT', settings(mine.id), { package_audit_events: 'disabled' });
      const changes = await allEvents(olga.api, `/api/v4/groups/${mine.id}/audit_events`, '&event_name=package_registry_audit_settings_updated');
      const last = changes[0];
      assert.equal(last.author_id, olga.id);
      assert.deepEqual(last.changes.package_audit_events, { from: 'enabled', to: 'disabled' });
    });
  });
});

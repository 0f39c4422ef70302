import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, basic, bearer, privateToken } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { allEvents, ids, publishOk } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// docs/architecture.md#scope-and-visibility visibility of the audit views, and the credential and authentication events of docs/architecture.md#what-is-recorded.

describe('audit events: who sees what, credential and authentication events', () => {
  let trove: RunningTrove;
  let world: World;
  let acme: { id: number; full_path: string };
  let webApp: { id: number };
  let owner: TestUser;
  let dev: TestUser;
  let maintainer: TestUser;
  let reporter: TestUser;
  let outsider: TestUser;
  let projectMaintainer: TestUser;
  let rootId: number;
  const acmeEvents = () => `/api/v4/groups/${acme.id}/audit_events`;
  const projectEvents = () => `/api/v4/projects/${webApp.id}/audit_events`;
  const instanceEvents = '/api/v4/audit_events';

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    rootId = (await world.root.expect(200, 'GET', '/api/v4/user')).id;
    acme = await world.group('acme');
    webApp = await world.project('web-app', acme.id);
    [owner, dev, maintainer, reporter, outsider, projectMaintainer] = await Promise.all(
      ['olga', 'dev', 'mia', 'rita', 'nick', 'pam'].map((name) => world.user(name)),
    );
    await world.addMember('groups', acme.id, owner, 50);
    await world.addMember('groups', acme.id, maintainer, 40);
    await world.addMember('groups', acme.id, dev, 30);
    await world.addMember('groups', acme.id, reporter, 20);
    await world.addMember('projects', webApp.id, projectMaintainer, 40);
    await publishOk(dev.api, webApp.id, '@acme/dev-pkg', '1.0.0');
    await publishOk(maintainer.api, webApp.id, '@acme/mia-pkg', '1.0.0');
    await publishOk(world.root, webApp.id, '@acme/root-pkg', '1.0.0');
  });

  after(async () => {
    await trove?.stop();
  });

  const authorsOf = (events: any[]) => [...new Set(events.map((e) => e.author_id as number))].sort((a, b) => a - b);

  it('shows the group owner every event of the group', async () => {
    const events = await allEvents(owner.api, acmeEvents());
    assert.deepEqual(authorsOf(events), [rootId, dev.id, maintainer.id].sort((a, b) => a - b));
    const packages = events.filter((e) => e.event_name === 'package_registry_package_published').map((e) => e.package.name);
    assert.deepEqual(packages.sort(), ['@acme/dev-pkg', '@acme/mia-pkg', '@acme/root-pkg']);
  });

  it('shows developers and maintainers only their own actions', async () => {
    const everything = await allEvents(owner.api, acmeEvents());
    for (const [user, pkg] of [[dev, '@acme/dev-pkg'], [maintainer, '@acme/mia-pkg']] as const) {
      const own = await allEvents(user.api, acmeEvents());
      assert.ok(own.length > 0, `${user.username} sees nothing`);
      assert.deepEqual(authorsOf(own), [user.id]);
      assert.deepEqual(ids(own), ids(everything.filter((e) => e.author_id === user.id)));
      assert.ok(own.some((e) => e.package?.name === pkg));
      const res = await user.api.get(`${acmeEvents()}?per_page=1`);
      assert.equal(res.headers.get('x-total'), String(own.length), 'X-Total counts only what the caller may see');
      const foreign = everything.find((e) => e.author_id !== user.id)!;
      assert.equal((await user.api.get(`${acmeEvents()}/${foreign.id}`)).status, 404);
      assert.equal((await user.api.get(`${acmeEvents()}/${own[0].id}`)).status, 200);
      // A filter cannot widen the view.
      assert.deepEqual(await allEvents(user.api, acmeEvents(), `&author_id=${foreign.author_id}`), []);
    }
    const devInProject = await allEvents(dev.api, projectEvents());
    assert.ok(devInProject.length > 0);
    assert.deepEqual(authorsOf(devInProject), [dev.id]);
  });

  it('refuses reporters (403) and hides the group from non-members (404)', async () => {
    const [event] = await allEvents(owner.api, acmeEvents());
    assert.equal((await reporter.api.get(acmeEvents())).status, 403);
    assert.equal((await reporter.api.get(`${acmeEvents()}/${event.id}`)).status, 403);
    assert.equal((await reporter.api.get(projectEvents())).status, 403);
    assert.equal((await outsider.api.get(acmeEvents())).status, 404);
    assert.equal((await outsider.api.get(`${acmeEvents()}/${event.id}`)).status, 404);
    assert.equal((await outsider.api.get(projectEvents())).status, 404);
    assert.equal((await new Api(trove.baseUrl).get(acmeEvents())).status, 401);
  });

  it('shows a project maintainer all of the project\'s events', async () => {
    const events = await allEvents(projectMaintainer.api, projectEvents());
    assert.deepEqual(authorsOf(events), [rootId, dev.id, maintainer.id].sort((a, b) => a - b));
    assert.ok(events.every((e) => e.project.id === webApp.id));
    assert.deepEqual(ids(events), ids(await allEvents(owner.api, projectEvents())));
  });

  it('keeps the instance view to administrators', async () => {
    for (const user of [owner, dev, projectMaintainer]) {
      assert.equal((await user.api.get(instanceEvents)).status, 403, user.username);
    }
    const [event] = await allEvents(owner.api, acmeEvents());
    assert.equal((await owner.api.get(`${instanceEvents}/${event.id}`)).status, 403);
    const all = await allEvents(world.root, instanceEvents);
    assert.ok(all.length > (await allEvents(owner.api, acmeEvents())).length);
    assert.ok(ids(await allEvents(owner.api, acmeEvents())).every((id) => ids(all).includes(id)));
  });

  it('records personal access token creation and revocation', async () => {
    const created = await dev.api.expect(201, 'POST', '/api/v4/user/personal_access_tokens', { name: 'dev-laptop', scopes: ['read_api'] });
    const event = await latestEvent(world.root, instanceEvents, 'personal_access_token_created');
    assert.equal(event.details.target_id, created.id);
    assert.equal(event.details.target_details, 'dev-laptop');
    assert.deepEqual([event.entity_type, event.entity_id, event.author_id], ['User', dev.id, dev.id]);
    assert.deepEqual(event.changes.scopes, { from: null, to: ['read_api'] });
    assert.ok(!JSON.stringify(event).includes(created.token), 'the secret is in the event');

    assert.equal((await dev.api.delete(`/api/v4/personal_access_tokens/${created.id}`)).status, 204);
    const revoked = await latestEvent(world.root, instanceEvents, 'personal_access_token_revoked');
    assert.equal(revoked.details.target_id, created.id);
    assert.equal(revoked.actor.user_id, dev.id);
    assert.deepEqual(revoked.changes, { revoked: { from: false, to: true } });
    // Revoking twice is refused and records nothing.
    assert.equal((await dev.api.delete(`/api/v4/personal_access_tokens/${created.id}`)).status, 400);
    assert.equal((await latestEvent(world.root, instanceEvents, 'personal_access_token_revoked')).id, revoked.id);
    // Someone else's token is not found.
    const mine = await maintainer.api.expect(201, 'POST', '/api/v4/user/personal_access_tokens', { name: 'mia-2', scopes: ['api'] });
    assert.equal((await dev.api.delete(`/api/v4/personal_access_tokens/${mine.id}`)).status, 404);

    // The revoked token no longer authenticates, and the attempt is audited with the token's id.
    const refused = await new Api(trove.baseUrl, privateToken(created.token)).get('/api/v4/user');
    assert.equal(refused.status, 401);
    const failed = await latestEvent(world.root, instanceEvents, 'authentication_failed');
    assert.equal(failed.outcome, 'failure');
    assert.match(failed.reason, /revoked/);
    assert.equal(failed.actor.token_id, created.id);
    assert.equal(failed.actor.username, 'dev');
    assert.equal(failed.entity_type, 'Instance');
    assert.ok(!JSON.stringify(failed).includes(created.token));
  });

  it('records authentication_failed for an unknown token without storing the secret', async () => {
    const secrets = {
      // Different prefixes: failures with the same prefix and IP are aggregated (authentication-failures.e2e.test.ts).
      private: 'glpat-PRIVnot-a-real-token-0123456789',
      bearer: 'glpat-BEARnot-a-real-token-0123456789',
      basic: 'glpat-BASInot-a-real-token-0123456789',
      deploy: 'gldt-DEPLnot-a-real-token-0123456789',
    };
    const before = (await allEvents(world.root, instanceEvents, '&event_name=authentication_failed')).length;
    const attempts: [string, Record<string, string>][] = [
      [secrets.private, privateToken(secrets.private)],
      [secrets.bearer, bearer(secrets.bearer)],
      [secrets.basic, basic(secrets.basic, 'dev')],
      [secrets.deploy, { 'Deploy-Token': secrets.deploy }],
    ];
    for (const [secret, header] of attempts) {
      const res = await new Api(trove.baseUrl, header).get(`/api/v4/projects/${webApp.id}/packages`);
      assert.equal(res.status, 401, secret);
      assert.ok(!res.text.includes(secret));
    }
    const failures = await allEvents(world.root, instanceEvents, '&event_name=authentication_failed');
    assert.equal(failures.length, before + attempts.length);
    for (const event of failures.slice(0, attempts.length)) {
      assert.equal(event.outcome, 'failure');
      assert.equal(event.reason, 'token not found');
      assert.equal(event.actor.type, 'anonymous');
      assert.equal(event.actor.token_id, null);
      assert.equal(event.details.target_details, `GET /api/v4/projects/${webApp.id}/packages`);
    }
    const outcomeFilter = await allEvents(world.root, instanceEvents, '&outcome=failure&event_name=authentication_failed');
    assert.deepEqual(ids(outcomeFilter), ids(failures));
    const everything = (await world.root.get(`${instanceEvents}?per_page=100`)).text;
    for (const secret of Object.values(secrets)) {
      assert.ok(!everything.includes(secret), `secret ${secret} stored in the audit log`);
      assert.ok(!everything.includes(secret.slice(6)), `part of ${secret} stored in the audit log`);
    }
    assert.ok(!(await allEvents(owner.api, acmeEvents())).some((e) => e.event_name === 'authentication_failed'));
  });

  it('records deploy token creation and revocation, and refuses the revoked token', async () => {
    const bot = await world.deployToken('groups', acme.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
    const created = await latestEvent(owner.api, acmeEvents(), 'deploy_token_created');
    assert.equal(created.details.target_id, bot.id);
    assert.equal(created.details.target_details, 'release-bot');
    assert.equal(created.entity_id, acme.id);
    assert.ok(!JSON.stringify(created).includes(bot.token));

    const registry = `/api/v4/projects/${webApp.id}/packages/npm/@acme%2fdev-pkg`;
    assert.equal((await new Api(trove.baseUrl, privateToken(bot.token)).get(registry)).status, 200);
    assert.equal((await owner.api.delete(`/api/v4/groups/${acme.id}/deploy_tokens/${bot.id}`)).status, 204);
    const revoked = await latestEvent(owner.api, acmeEvents(), 'deploy_token_revoked');
    assert.equal(revoked.details.target_id, bot.id);
    assert.equal(revoked.author_id, owner.id);

    const refused = await new Api(trove.baseUrl, privateToken(bot.token)).get(registry);
    assert.equal(refused.status, 401);
    const failed = await latestEvent(world.root, instanceEvents, 'authentication_failed');
    assert.match(failed.reason, /revoked/);
    assert.equal(failed.actor.token_id, bot.id);
    assert.equal(failed.actor.username, bot.username);
    assert.equal(failed.details.auth_token_type, null);
    assert.equal(failed.details.target_type, 'DeployToken');
    assert.ok(!JSON.stringify(failed).includes(bot.token));
    // A maintainer may not revoke a group deploy token.
    const other = await world.deployToken('groups', acme.id, 'keep-me', ['read_package_registry']);
    assert.equal((await maintainer.api.delete(`/api/v4/groups/${acme.id}/deploy_tokens/${other.id}`)).status, 403);
    assert.notEqual((await latestEvent(owner.api, acmeEvents(), 'deploy_token_revoked')).details.target_id, other.id);
  });

  it('records ci_job_token_issued on the project\'s group with the pipeline', async () => {
    const job = await world.jobToken(webApp.id, { pipeline_id: 881, job_id: 4242, ref: 'main', sha: '3f2a1c9d8e7f', user_id: dev.id });
    const event = await latestEvent(owner.api, acmeEvents(), 'ci_job_token_issued');
    assert.equal(event.details.target_id, job.id);
    assert.match(event.details.target_details, /job 4242 of pipeline 881 \(main @ 3f2a1c9d\)/);
    assert.deepEqual(event.project, { id: webApp.id, full_path: 'acme/web-app' });
    assert.equal(event.changes.user_id.to, dev.id);
    assert.equal(event.changes.expires_at.to, job.expires_at);
    assert.ok(!JSON.stringify(event).includes(job.token));
    assert.equal((await latestEvent(projectMaintainer.api, projectEvents(), 'ci_job_token_issued')).id, event.id);
    // Only maintainers mint job tokens.
    const denied = await dev.api.post(`/api/v4/projects/${webApp.id}/ci/job_tokens`, { pipeline_id: 1, job_id: 2, ref: 'main', sha: 'abcdef1' });
    assert.equal(denied.status, 403);
    assert.equal((await latestEvent(owner.api, acmeEvents(), 'ci_job_token_issued')).id, event.id);
  });
});

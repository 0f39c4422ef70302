import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, privateToken } from '../support/api.js';
import { ACTION_NAMES, ACTIONS, AuthzWorld, row, type Credential, type Row } from '../support/authz-matrix.js';
import type { TestUser } from '../support/world.js';

// The authorization matrix for the credentials that are not a member's personal access token:
// deploy tokens (project, group, another project's), CI job tokens (acting with the level of the
// user who triggered the job, only on their own project), anonymous, unknown and revoked tokens.
// Then the cross-project and cross-group leak checks. Rules: authorization-matrix.e2e.test.ts.
// Deploy and job tokens do not open settings or audit events (403); a deploy token does not
// use the packages REST API (403); anonymous npm clients get 401 so that they send credentials,
// the REST API answers anonymous 401 where it needs a user and 404 for a private project.

// prettier-ignore
const TABLE: Array<[string, Row]> = [
  //                                                   read publish unpub delete list settings gAudit pAudit otherRead otherList
  ['project deploy token, read_package_registry',  row(200, 403, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['project deploy token, write_package_registry', row(200, 200, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['group deploy token of acme, write',             row(200, 200, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['deploy token of other/app, read+write',         row(404, 404, 404, 404, 404, 403, 403, 403, 200, 403)],
  ['job token of acme/web-app, reporter',           row(200, 403, 403, 403, 200, 403, 403, 403, 404, 404)],
  ['job token of acme/web-app, developer',          row(200, 200, 403, 403, 200, 403, 403, 403, 404, 404)],
  ['job token of acme/web-app, maintainer',         row(200, 200, 200, 204, 200, 403, 403, 403, 404, 404)],
  ['job token of other/app, its developer',         row(404, 404, 404, 404, 404, 403, 403, 403, 200, 200)],
  ['job token of other/app, owner of acme',         row(404, 404, 404, 404, 404, 403, 403, 403, 404, 404)],
  ['anonymous',                                     row(401, 401, 401, 404, 404, 401, 401, 401, 401, 404)],
  ['unknown token',                                 row(401, 401, 401, 401, 401, 401, 401, 401, 401, 401)],
  ['revoked PAT of the acme owner (api)',           row(401, 401, 401, 401, 401, 401, 401, 401, 401, 401)],
];

describe('authorization matrix: deploy tokens, job tokens, anonymous and bad credentials', () => {
  let authz: AuthzWorld;
  let otherDeveloper: TestUser;
  const creds = new Map<string, Credential>();

  before(async () => {
    authz = await AuthzWorld.create();
    const { world, users, acme, webApp, other, otherApp } = authz;
    otherDeveloper = await world.user('olga');
    await world.addMember('groups', other.id, otherDeveloper, 30);
    const revoked = await world.token(users.owner, 'owner-revoked', ['api']);
    await world.root.expect(204, 'DELETE', `/api/v4/personal_access_tokens/${revoked.id}`);
    const all: Credential[] = [
      await authz.deployToken('projects', webApp.id, 'acme-reader', ['read_package_registry']),
      await authz.deployToken('projects', webApp.id, 'acme-writer', ['write_package_registry']),
      await authz.deployToken('groups', acme.id, 'acme-group-bot', ['write_package_registry']),
      await authz.deployToken('projects', otherApp.id, 'other-bot', ['read_package_registry', 'write_package_registry']),
      await authz.jobToken(webApp.id, 7001, users.reporter),
      await authz.jobToken(webApp.id, 7002, users.developer),
      await authz.jobToken(webApp.id, 7003, users.maintainer),
      await authz.jobToken(otherApp.id, 7101, otherDeveloper),
      await authz.jobToken(otherApp.id, 7102, users.owner),
      { headers: {}, userId: null, tokenName: null },
      { headers: privateToken('glpat-no-such-token-0000000000'), userId: null, tokenName: null },
      { headers: privateToken(revoked.token), userId: null, tokenName: null },
    ];
    TABLE.forEach(([label], i) => creds.set(label, all[i]));
  });

  after(async () => {
    await authz?.stop();
  });

  for (const [label, expectations] of TABLE) {
    describe(label, () => {
      for (const action of ACTIONS) {
        const expected = expectations[action];
        it(`${ACTION_NAMES[action]} -> ${expected}`, () => authz.check(creds.get(label)!, action, expected));
      }
    });
  }

  describe('nothing leaks across projects and groups', () => {
    const names = (list: any[]) => list.map((p) => `${p.project_path}:${p.name}`);

    it('the acme group package listing of an acme developer holds acme packages only', async () => {
      const { users, acme, otherApp } = authz;
      const list = await users.developer.api.expect(200, 'GET', `/api/v4/groups/${acme.id}/packages?per_page=100`);
      assert.ok(names(list).includes('acme/web-app:@acme/readable'), names(list).join());
      assert.ok(list.every((p: any) => p.project_path.startsWith('acme/') && p.project_id !== otherApp.id), names(list).join());
      // Scoped by the group, not only by permission: the admin, who may read other/app, gets acme's only too.
      const asAdmin = await authz.world.root.expect(200, 'GET', `/api/v4/groups/${acme.id}/packages?per_page=100`);
      assert.ok(asAdmin.every((p: any) => p.project_path.startsWith('acme/')), names(asAdmin).join());
      // A guest sees the group but may not read its packages: an empty listing, not the packages.
      assert.deepEqual(await users.guest.api.expect(200, 'GET', `/api/v4/groups/${acme.id}/packages`), []);
    });

    it('an acme developer cannot reach the other group: listing and group-level npm install answer 404', async () => {
      const { users, other, acme } = authz;
      assert.equal((await users.developer.api.get(`/api/v4/groups/${other.id}/packages`)).status, 404);
      assert.equal((await users.developer.api.get(`/api/v4/groups/${acme.id}/-/packages/npm/other-secret`)).status, 404);
      assert.equal((await users.developer.api.get(`/api/v4/groups/${other.id}/-/packages/npm/other-secret`)).status, 404);
      // The same group-level install works for a member of the other group, so the 404s above mean something.
      const own = await otherDeveloper.api.get(`/api/v4/groups/${other.id}/-/packages/npm/other-secret`);
      assert.equal(own.status, 200, own.text);
      assert.ok(own.body.versions['1.0.0']);
    });

    it("a developer's group audit view holds only their own events, and no event of another's by id", async () => {
      const { users, acme, world } = authz;
      const path = `/api/v4/groups/${acme.id}/audit_events?per_page=100`;
      const everything = await world.root.expect(200, 'GET', path);
      const authors = new Set(everything.map((e: any) => e.author_id));
      assert.ok(authors.has(users.developer.id) && authors.size > 1, 'the group log holds events of several authors');
      const mine = await users.developer.api.expect(200, 'GET', path);
      assert.ok(mine.length > 0);
      assert.ok(mine.every((e: any) => e.author_id === users.developer.id && e.entity_id === acme.id), JSON.stringify(mine.map((e: any) => e.author_id)));
      assert.deepEqual(
        mine.map((e: any) => e.id),
        everything.filter((e: any) => e.author_id === users.developer.id).map((e: any) => e.id),
        'exactly the developer’s own events',
      );
      const foreign = everything.find((e: any) => e.author_id !== users.developer.id);
      assert.equal((await users.developer.api.get(`/api/v4/groups/${acme.id}/audit_events/${foreign.id}`)).status, 404);
      assert.equal((await world.root.get(`/api/v4/groups/${acme.id}/audit_events/${foreign.id}`)).status, 200);
    });

    it('the other group’s audit log holds no acme events, and acme’s none of other/app', async () => {
      const { world, acme, other } = authz;
      const otherLog = await world.root.expect(200, 'GET', `/api/v4/groups/${other.id}/audit_events?per_page=100`);
      assert.ok(otherLog.length > 0);
      assert.ok(otherLog.every((e: any) => e.entity_id === other.id && !e.project?.full_path?.startsWith('acme/')));
      const acmeLog = await world.root.expect(200, 'GET', `/api/v4/groups/${acme.id}/audit_events?per_page=100`);
      assert.ok(acmeLog.every((e: any) => e.entity_id === acme.id && e.project?.full_path !== 'other/app'));
    });

    it('an acme owner reading other/app with a valid acme credential learns nothing', async () => {
      const { users, otherApp } = authz;
      const api = new Api(authz.trove.baseUrl, privateToken(users.owner.token));
      for (const path of [`/api/v4/projects/${otherApp.id}`, `/api/v4/projects/other%2Fapp/packages`, `/api/v4/projects/${otherApp.id}/audit_events`]) {
        const res = await api.get(path);
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.ok(!res.text.includes('other-secret'));
      }
    });
  });
});

import assert from 'node:assert/strict';
import { Api, privateToken, type AuthHeader } from './api.js';
import { eventCount, latestEvent } from './audit.js';
import { packageTarball, publishBody } from './npm-publish-body.js';
import { startTrove, type RunningTrove } from './trove-process.js';
import { World, type TestUser } from './world.js';

// Shared by the authorization-matrix e2e files: one world (private group "acme" with project
// acme/web-app and a member per role, private group "other" with other/app holding a package),
// the credentials of the matrix, and `check`, which performs one action with one credential and
// asserts the status plus what it must (or must not) have changed and audited.

export const ACTIONS = ['read', 'publish', 'unpublish', 'delete', 'list', 'settings', 'groupAudit', 'projectAudit', 'otherRead', 'otherList'] as const;
export type Action = (typeof ACTIONS)[number];

export const ACTION_NAMES: Record<Action, string> = {
  read: 'npm read acme/web-app packument',
  publish: 'npm publish to acme/web-app',
  unpublish: 'npm unpublish (-rev) in acme/web-app',
  delete: 'DELETE /projects/:id/packages/:package_id',
  list: 'GET /projects/:id/packages',
  settings: 'PUT /groups/acme/packages/settings',
  groupAudit: 'GET /groups/acme/audit_events',
  projectAudit: 'GET /projects/acme%2Fweb-app/audit_events',
  otherRead: 'npm read other/app packument (leak)',
  otherList: 'GET other/app packages (leak)',
};

/** An HTTP status, or for audit listings 200 with everything ('all') or only the caller's own events ('own'). */
export type Expected = 200 | 204 | 401 | 403 | 404 | 'all' | 'own';
export type Row = Record<Action, Expected>;

/** One row of a table, written positionally in the order of ACTIONS. */
export function row(...cells: Expected[]): Row {
  assert.equal(cells.length, ACTIONS.length, 'a row needs one cell per action');
  return Object.fromEntries(ACTIONS.map((action, i) => [action, cells[i]])) as Row;
}

export interface Credential {
  headers: AuthHeader;
  /** Whose events count as "own" in audit listings (the user behind the credential). */
  userId: number | null;
  /** actor.token_name expected in the events this credential causes; null when it does not authenticate. */
  tokenName: string | null;
}

export const ROLES = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;
export const PAT_SCOPES = ['api', 'read_api', 'read_package_registry', 'write_package_registry'] as const;
export type Role = keyof typeof ROLES | 'nonMember' | 'admin';

const DENIED = 'package_registry_package_publish_denied';

export class AuthzWorld {
  private counter = 0;

  private constructor(
    readonly trove: RunningTrove,
    readonly world: World,
    readonly acme: { id: number },
    readonly webApp: { id: number },
    readonly other: { id: number },
    readonly otherApp: { id: number },
    readonly users: Record<Role, TestUser>,
  ) {}

  static async create(): Promise<AuthzWorld> {
    const trove = await startTrove();
    const world = new World(trove);
    const acme = await world.group('acme');
    const webApp = await world.project('web-app', acme.id);
    const other = await world.group('other');
    const otherApp = await world.project('app', other.id);
    const rootUser = await world.root.expect(200, 'GET', '/api/v4/user');
    const users = {
      admin: { id: rootUser.id, username: 'root', token: trove.rootToken, api: world.root },
      nonMember: await world.user('nora'),
    } as Record<Role, TestUser>;
    for (const [role, level] of Object.entries(ROLES)) {
      users[role as Role] = await world.user(`${role}-user`);
      await world.addMember('groups', acme.id, users[role as Role], level);
    }
    const authz = new AuthzWorld(trove, world, acme, webApp, other, otherApp, users);
    // Fixtures: the package everyone tries to read, one in the other group, and one own event
    // each for the developer and the maintainer (so that "only their own events" is not empty).
    await authz.publishAs(world.root, webApp.id, '@acme/readable', '1.0.0');
    await authz.publishAs(world.root, otherApp.id, 'other-secret', '1.0.0');
    await authz.publishAs(users.developer.api, webApp.id, '@acme/dev-setup', '1.0.0');
    await authz.publishAs(users.maintainer.api, webApp.id, '@acme/maintainer-setup', '1.0.0');
    return authz;
  }

  async stop(): Promise<void> {
    await this.trove.stop();
  }

  /** A personal access token of a role's user with exactly one scope, named "<role>-<scope>". */
  async pat(role: Role, scope: string): Promise<Credential> {
    const name = `${role}-${scope}`;
    const token = await this.world.token(this.users[role], name, [scope]);
    return { headers: privateToken(token.token), userId: this.users[role].id, tokenName: name };
  }

  async deployToken(kind: 'groups' | 'projects', ownerId: number, name: string, scopes: string[]): Promise<Credential> {
    const token = await this.world.deployToken(kind, ownerId, name, scopes);
    return { headers: { 'Deploy-Token': token.token }, userId: null, tokenName: name };
  }

  async jobToken(projectId: number, jobId: number, user: TestUser): Promise<Credential> {
    const body = { pipeline_id: jobId * 10, job_id: jobId, ref: 'main', sha: 'a'.repeat(40), user_id: user.id };
    const token = await this.world.jobToken(projectId, body);
    return { headers: { 'JOB-TOKEN': token.token }, userId: user.id, tokenName: `CI job ${jobId}` };
  }

  async publishAs(api: Api, projectId: number, name: string, version: string) {
    const body = publishBody(name, version, await packageTarball(name, version));
    return api.put(`/api/v4/projects/${projectId}/packages/npm/${name.replace('/', '%2f')}`, body);
  }

  private fresh(): number {
    return ++this.counter;
  }

  private projectEvents(): string {
    return `/api/v4/projects/${this.webApp.id}/audit_events`;
  }

  private async packageRow(name: string, version: string): Promise<any | undefined> {
    const res = await this.world.root.expect(200, 'GET', `/api/v4/projects/${this.webApp.id}/packages?package_name=${encodeURIComponent(name)}&package_version=${version}&per_page=100`);
    return (res as any[]).find((p) => p.name === name && p.version === version);
  }

  /** Performs `action` with `cred` and asserts `expected`, the resulting state and the audit trail. */
  async check(cred: Credential, action: Action, expected: Expected): Promise<void> {
    const api = new Api(this.trove.baseUrl, cred.headers);
    switch (action) {
      case 'read':
      case 'otherRead': {
        const [projectId, name] = action === 'read' ? [this.webApp.id, '@acme/readable'] : [this.otherApp.id, 'other-secret'];
        const res = await api.get(`/api/v4/projects/${projectId}/packages/npm/${name.replace('/', '%2f')}`);
        assert.equal(res.status, expected, res.text);
        if (res.status === 200) assert.ok(res.body.versions['1.0.0'], 'the packument lists the version');
        else assert.equal(res.body.versions, undefined, 'a refusal carries no metadata');
        return;
      }
      case 'list':
      case 'otherList': {
        const [projectId, name] = action === 'list' ? [this.webApp.id, '@acme/readable'] : [this.otherApp.id, 'other-secret'];
        const res = await api.get(`/api/v4/projects/${projectId}/packages?per_page=100`);
        assert.equal(res.status, expected, res.text);
        if (res.status === 200) assert.ok(res.body.some((p: any) => p.name === name), `${name} is listed`);
        else assert.ok(!res.text.includes(name), 'a refusal names no package');
        return;
      }
      case 'settings': {
        const res = await api.put(`/api/v4/groups/${this.acme.id}/packages/settings`, { package_audit_events: 'enabled' });
        assert.equal(res.status, expected, res.text);
        if (res.status === 200) assert.equal(res.body.package_audit_events, 'enabled');
        return;
      }
      case 'groupAudit':
      case 'projectAudit': {
        const path = action === 'groupAudit' ? `/api/v4/groups/${this.acme.id}/audit_events` : this.projectEvents();
        return this.checkAuditView(api, cred, path, expected);
      }
      case 'publish': {
        const version = `1.0.${this.fresh()}`;
        return this.checkWrite(cred, expected, '@acme/publish-target', version, 'package_registry_package_published', () =>
          this.publishAs(api, this.webApp.id, '@acme/publish-target', version),
        );
      }
      case 'delete': {
        const version = `2.0.${this.fresh()}`;
        await this.world.root.expect(200, 'PUT', `/api/v4/projects/${this.webApp.id}/packages/npm/@acme%2fdelete-target`, await bodyOf('@acme/delete-target', version));
        const pkg = await this.packageRow('@acme/delete-target', version);
        assert.ok(pkg, 'the fixture version exists');
        return this.checkWrite(cred, expected, '@acme/delete-target', version, 'package_registry_package_deleted', () =>
          api.delete(`/api/v4/projects/${this.webApp.id}/packages/${pkg.id}`),
        );
      }
      case 'unpublish': {
        const name = `@acme/unpublish-${this.fresh()}`;
        await this.world.root.expect(200, 'PUT', `/api/v4/projects/${this.webApp.id}/packages/npm/${name.replace('/', '%2f')}`, await bodyOf(name, '1.0.0'));
        return this.checkWrite(cred, expected, name, '1.0.0', 'package_registry_package_deleted', () =>
          api.delete(`/api/v4/projects/${this.webApp.id}/packages/npm/${name.replace('/', '%2f')}/-rev/x`),
        );
      }
    }
  }

  /**
   * A write: on success the normal event names this credential and the version; on an authenticated
   * refusal (403, or 404 for a project it may not see) exactly one publish_denied event (outcome
   * failure) names it; an anonymous or unauthenticated attempt records none. A refusal changes nothing.
   */
  private async checkWrite(cred: Credential, expected: Expected, name: string, version: string, successEvent: string, send: () => Promise<{ status: number; text: string }>) {
    const deniedBefore = await eventCount(this.world.root, this.projectEvents(), `&event_name=${DENIED}`);
    const res = await send();
    assert.equal(res.status, expected, res.text);
    const deniedAfter = await eventCount(this.world.root, this.projectEvents(), `&event_name=${DENIED}`);
    const exists = (await this.packageRow(name, version)) !== undefined;
    if (res.status < 300) {
      assert.equal(deniedAfter, deniedBefore, 'a successful write records no publish_denied');
      assert.equal(exists, successEvent === 'package_registry_package_published', 'the change happened');
      const event = await latestEvent(this.world.root, this.projectEvents(), successEvent);
      assert.equal(event.outcome, 'success');
      assert.deepEqual([event.package.name, event.package.version], [name, version]);
      assert.equal(event.actor.token_name, cred.tokenName);
      return;
    }
    assert.equal(exists, successEvent !== 'package_registry_package_published', 'a refused write leaves the data unchanged');
    if (res.status === 401 || cred.tokenName === null) {
      assert.equal(deniedAfter, deniedBefore, 'an unauthenticated attempt is not a publish_denied');
      return;
    }
    assert.equal(deniedAfter, deniedBefore + 1, 'a refused authenticated write records exactly one publish_denied');
    const event = await latestEvent(this.world.root, this.projectEvents(), DENIED);
    assert.equal(event.outcome, 'failure');
    assert.equal(event.actor.token_name, cred.tokenName);
    assert.ok(event.reason, 'the refusal says why');
  }

  /** 'all': events of someone else are listed; 'own': only the caller's, and filtering for someone else gives nothing. */
  private async checkAuditView(api: Api, cred: Credential, path: string, expected: Expected) {
    const res = await api.get(`${path}?per_page=100`);
    if (typeof expected === 'number') {
      assert.equal(res.status, expected, res.text);
      assert.ok(!Array.isArray(res.body), 'a refusal lists no events');
      return;
    }
    assert.equal(res.status, 200, res.text);
    const witness = cred.userId === this.users.admin.id ? this.users.developer.id : this.users.admin.id;
    const others = await api.get(`${path}?author_id=${witness}&per_page=100`);
    assert.equal(others.status, 200, others.text);
    if (expected === 'all') {
      assert.ok(others.body.length > 0, `events of user ${witness} are visible`);
      return;
    }
    assert.ok(res.body.length > 0, 'the caller sees their own events');
    assert.deepEqual([...new Set(res.body.map((e: any) => e.author_id))], [cred.userId], 'only the caller’s own events');
    assert.deepEqual(others.body, [], 'asking for someone else’s events yields nothing');
  }
}

async function bodyOf(name: string, version: string) {
  return publishBody(name, version, await packageTarball(name, version));
}

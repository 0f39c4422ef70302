import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { registryTokenKey } from '../../src/container-registry/registry-token-key.js';
import { issueRegistryToken } from '../../src/container-registry/registry-token.js';
import { openDatabase } from '../../src/storage/db/database.js';
import { Api, basic, bearer, type AuthHeader } from '../support/api.js';
import { OciWorkspace } from '../support/oci-workspace.js';
import { tempDir } from '../support/temp-dir.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// GitLab's Docker token flow (docs/api.md#tokens): /jwt/auth grants, per asked scope, the subset of actions
// the credential and the caller's role allow now; /v2/ takes the token as Bearer and looks the
// credential behind it up again on every request. What skopeo and podman send is in CLIENTS.md.

const TOKEN_SECONDS = 120;
const API = 'acme/web-app/api';
const PUBLIC = 'acme/site';
const OTHER = 'acme/other/img';
const PASSWORD = 'correct-horse-battery';

describe('container registry: the token realm (/jwt/auth) and registry tokens on /v2/', () => {
  let trove: RunningTrove;
  let world: World;
  let anonymous: Api;
  let dev: TestUser;
  let webAppId: number;
  /** Credential name -> Basic header. */
  const creds: Record<string, AuthHeader> = {};

  /** The actions granted per asked scope, in order, as a compact `name:actions` list. */
  async function granted(auth: AuthHeader, ...scopes: string[]): Promise<string[]> {
    const res = await anonymous.get(realmPath(...scopes), auth);
    assert.equal(res.status, 200, res.text);
    return claimsOf(res.body.token).access.map((entry: any) => `${entry.name}:${entry.actions.join(',')}`);
  }

  const realmPath = (...scopes: string[]) => `/jwt/auth?service=container_registry&account=someone${scopes.map((s) => `&scope=${encodeURIComponent(s)}`).join('')}`;
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  const failures = async (reason: string) =>
    ((await world.root.expect(200, 'GET', '/api/v4/audit_events?event_name=authentication_failed&per_page=100')) as any[]).filter((e) => e.reason === reason);
  const tokenFor = async (auth: AuthHeader, scope: string) => (await anonymous.get(realmPath(scope), auth)).body.token as string;

  before(async () => {
    trove = await startTrove({ env: { TROVE_REGISTRY_TOKEN_SECONDS: String(TOKEN_SECONDS) } });
    world = new World(trove);
    anonymous = new Api(trove.baseUrl);
    const acme = await world.group('acme', undefined, 'public');
    const webApp = await world.project('web-app', acme.id);
    webAppId = webApp.id;
    await world.project('site', acme.id, 'public');
    await world.project('other', acme.id);
    dev = await world.user('dev', ['read_registry']);
    const reporter = await world.user('rep', ['write_registry']);
    const maintainer = await world.user('maint', ['write_registry']);
    const stranger = await world.user('stranger', ['api']);
    await world.addMember('groups', acme.id, dev, 30);
    await world.addMember('groups', acme.id, reporter, 20);
    await world.addMember('groups', acme.id, maintainer, 40);
    creds['dev:read_registry'] = basic(dev.token, 'dev');
    for (const scope of ['write_registry', 'api', 'read_api', 'read_package_registry']) creds[`dev:${scope}`] = basic((await world.token(dev, scope, [scope])).token, 'dev');
    creds['rep:write_registry'] = basic(reporter.token, 'rep');
    creds['maint:write_registry'] = basic(maintainer.token, 'maint');
    creds['maint:read_registry'] = basic((await world.token(maintainer, 'maint-read', ['read_registry'])).token, 'maint');
    creds['stranger:api'] = basic(stranger.token, 'stranger');
    for (const scopes of [['read_registry'], ['read_registry', 'write_registry'], ['read_package_registry', 'write_package_registry']]) {
      const token = await world.deployToken('projects', webApp.id, `deploy-${scopes.join('-')}`, scopes);
      creds[`deploy:${scopes.join('+')}`] = basic(token.token, token.username);
    }
    const groupDeploy = await world.deployToken('groups', acme.id, 'group-deploy', ['read_registry']);
    creds['group-deploy:read_registry'] = basic(groupDeploy.token, groupDeploy.username);
    const job = await world.jobToken(webApp.id, { pipeline_id: 7, job_id: 70, ref: 'main', sha: 'abcdef1234567', user_id: dev.id });
    creds.job = basic(job.token, 'gitlab-ci-token');
    creds.root = basic(trove.rootToken, 'root');
  });

  after(async () => {
    await trove?.stop();
  });

  it('answers GitLab shape: token and access_token, expires_in, issued_at, and the Docker claims', async () => {
    const res = await anonymous.get(realmPath(`repository:${API}:pull`), creds['dev:read_registry']);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'issued_at', 'token']);
    assert.equal(res.body.access_token, res.body.token);
    assert.equal(res.body.expires_in, TOKEN_SECONDS);
    const claims = claimsOf(res.body.token);
    assert.equal(Date.parse(res.body.issued_at), claims.iat * 1000);
    assert.equal(claims.exp - claims.iat, TOKEN_SECONDS, 'TROVE_REGISTRY_TOKEN_SECONDS');
    assert.deepEqual([claims.iss, claims.aud, claims.sub], ['trove', 'container_registry', 'dev']);
    assert.ok(claims.nbf <= claims.iat && typeof claims.jti === 'string');
    assert.deepEqual(claims.access, [{ type: 'repository', name: API, actions: ['pull'] }]);
    assert.equal(claims.credential.type, 'PersonalAccessToken');
    assert.equal((await anonymous.get('/jwt/auth?service=other')).status, 404, 'another service is unknown here');
  });

  it('grants personal access tokens the subset their scope and role allow', async () => {
    const pullPush = `repository:${API}:pull,push`;
    assert.deepEqual(await granted(creds['dev:read_registry'], pullPush), [`${API}:pull`]);
    assert.deepEqual(await granted(creds['dev:write_registry'], pullPush), [`${API}:pull,push`]);
    assert.deepEqual(await granted(creds['dev:api'], pullPush), [`${API}:pull,push`]);
    assert.deepEqual(await granted(creds['dev:read_api'], pullPush), [`${API}:pull`]);
    assert.deepEqual(await granted(creds['dev:read_package_registry'], pullPush), [`${API}:`], 'package scopes do not reach the container registry');
    assert.deepEqual(await granted(creds['rep:write_registry'], pullPush), [`${API}:pull`], 'a reporter pulls, never pushes');
    assert.deepEqual(await granted(creds['stranger:api'], pullPush, `repository:${PUBLIC}:pull,push`), [`${API}:`, `${PUBLIC}:pull`]);
  });

  it('grants * (skopeo delete) to maintainers with a write scope only', async () => {
    const star = `repository:${API}:*`;
    assert.deepEqual(await granted(creds['maint:write_registry'], star), [`${API}:*`]);
    assert.deepEqual(await granted(creds['maint:read_registry'], star), [`${API}:`]);
    assert.deepEqual(await granted(creds['dev:write_registry'], star, `repository:${API}:delete`), [`${API}:`, `${API}:`]);
  });

  it('grants deploy tokens per their registry scopes, on their project or group only, and never delete', async () => {
    const asked = [`repository:${API}:pull,push`, `repository:${API}:*`, `repository:${OTHER}:pull`];
    assert.deepEqual(await granted(creds['deploy:read_registry'], ...asked), [`${API}:pull`, `${API}:`, `${OTHER}:`]);
    assert.deepEqual(await granted(creds['deploy:read_registry+write_registry'], ...asked), [`${API}:pull,push`, `${API}:`, `${OTHER}:`]);
    assert.deepEqual(await granted(creds['deploy:read_package_registry+write_package_registry'], ...asked), [`${API}:`, `${API}:`, `${OTHER}:`]);
    assert.deepEqual(await granted(creds['group-deploy:read_registry'], ...asked), [`${API}:pull`, `${API}:`, `${OTHER}:pull`], 'a group deploy token covers every project below');
  });

  it('grants a job token its own project, public images elsewhere, nothing private elsewhere', async () => {
    assert.deepEqual(await granted(creds.job, `repository:${API}:pull,push`, `repository:${PUBLIC}:pull,push`, `repository:${OTHER}:pull`), [
      `${API}:pull,push`,
      `${PUBLIC}:pull`,
      `${OTHER}:`,
    ]);
    const claims = claimsOf(await tokenFor(creds.job, `repository:${API}:pull`));
    assert.deepEqual([claims.sub, claims.credential.type], ['dev', 'CiJobToken']);
  });

  it('grants anonymous callers public pulls only, with an entry without actions for the rest (podman sends two scopes)', async () => {
    assert.deepEqual(await granted({}, `repository:${PUBLIC}:pull,push`, `repository:${API}:pull`, 'repository:nobody/nothing:pull'), [`${PUBLIC}:pull`, `${API}:`, 'nobody/nothing:']);
    const claims = claimsOf(await tokenFor({}, `repository:${PUBLIC}:pull`));
    assert.equal('sub' in claims, false);
    assert.deepEqual(claims.credential, { type: 'anonymous', id: null });
    // /v2/ itself takes any valid token (the challenge is only for no credential at all).
    const anonymousToken = await tokenFor({}, `repository:${PUBLIC}:pull`);
    assert.equal((await anonymous.get('/v2/', bearer(anonymousToken))).status, 200);
    const bare = await anonymous.get('/v2/');
    assert.equal(bare.status, 401);
    assert.match(bare.headers.get('www-authenticate') ?? '', /^Bearer realm=".*\/jwt\/auth",service="container_registry"$/);
  });

  it('grants the catalog to administrators only', async () => {
    assert.deepEqual(await granted(creds.root, 'registry:catalog:*'), ['catalog:*']);
    assert.deepEqual(await granted(creds['dev:api'], 'registry:catalog:*'), ['catalog:']);
  });

  it('keeps registry scopes to the container registry and package scopes to packages', async () => {
    const file = `/api/v4/projects/${webAppId}/packages/generic/tool/1.0.0/tool.bin`;
    const status = async (auth: AuthHeader) => (await anonymous.get(file, auth)).status;
    assert.deepEqual(
      [await status(creds['deploy:read_registry+write_registry']), await status(creds['dev:write_registry'])],
      [403, 403],
      'a container registry scope reads no package',
    );
    assert.deepEqual([await status(creds['deploy:read_package_registry+write_package_registry']), await status(creds['dev:read_package_registry'])], [404, 404], 'a package scope does (the file is absent)');
  });

  it('refuses a password, an unknown, a revoked token and a blocked user with 401, recording authentication_failed', async () => {
    const denied = async (auth: AuthHeader) => {
      const res = await anonymous.get(realmPath(`repository:${API}:pull`), auth);
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.errors[0].code, 'UNAUTHORIZED');
      assert.match(res.body.errors[0].message, /^HTTP Basic: Access denied/);
    };
    await denied(basic(PASSWORD, 'dev'));
    const [password] = await failures('token not found').then((events) => events.filter((e) => e.details.credential_prefix === 'login:dev'));
    assert.ok(password, 'a password attempt names the login');
    assert.equal(JSON.stringify(password).includes(PASSWORD.slice(0, 4)), false, 'never a piece of the password');
    assert.equal(password.details.target_details, 'GET /jwt/auth');

    await denied(basic('glpat-NOPE-not-a-real-token-0123456789', 'dev'));
    assert.equal((await failures('token not found')).filter((e) => e.details.credential_prefix === 'glpat-NOPE').length, 1);

    const revoked = await world.token(dev, 'revoked-before', ['read_registry']);
    await world.root.expect(204, 'DELETE', `/api/v4/personal_access_tokens/${revoked.id}`);
    await denied(basic(revoked.token, 'dev'));
    assert.equal((await failures('token revoked')).filter((e) => e.details.target_id === revoked.id).length, 1);

    const blocked = await world.user('blockme', ['read_registry']);
    await world.root.expect(201, 'POST', `/api/v4/users/${blocked.id}/block`);
    await denied(basic(blocked.token, 'blockme'));
    assert.equal((await failures('user blocked')).filter((e) => e.actor.user_id === blocked.id).length, 1);
  });

  it('on /v2/: a registry token works as Bearer until its credential is revoked or its user blocked', async () => {
    const v2 = (auth: AuthHeader) => anonymous.get('/v2/', auth);
    const revocable = await world.token(dev, 'revoked-after', ['read_registry']);
    const token = await tokenFor(basic(revocable.token, 'dev'), `repository:${API}:pull`);
    assert.notEqual((await v2(bearer(token))).status, 401, 'accepted while the token is active');
    assert.notEqual((await v2(basic(revocable.token, 'dev'))).status, 401, 'Basic with the token itself works on /v2/ too');
    await world.root.expect(204, 'DELETE', `/api/v4/personal_access_tokens/${revocable.id}`);
    const refused = await v2(bearer(token));
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), `Bearer realm="${trove.baseUrl}/jwt/auth",service="container_registry"`);
    assert.equal((await failures('token revoked')).filter((e) => e.details.target_id === revocable.id).length, 1);

    const member = await world.user('blocked-later', ['read_registry']);
    await world.addMember('projects', webAppId, member, 20);
    const memberToken = await tokenFor(basic(member.token, member.username), `repository:${API}:pull`);
    assert.notEqual((await v2(bearer(memberToken))).status, 401);
    await world.root.expect(201, 'POST', `/api/v4/users/${member.id}/block`);
    assert.equal((await v2(bearer(memberToken))).status, 401);

    assert.equal((await world.root.as(bearer(await tokenFor(creds.root, 'registry:catalog:*'))).get('/api/v4/user')).status, 401, 'a registry token is no API credential');
  });

  it('on /v2/: a forged or expired registry token gets 401 with the challenge and is recorded', async () => {
    const token = await tokenFor(creds['dev:read_registry'], `repository:${API}:pull`);
    const [header, , signature] = token.split('.');
    const claims = claimsOf(token);
    const widened = Buffer.from(JSON.stringify({ ...claims, access: [{ type: 'repository', name: API, actions: ['*'] }] })).toString('base64url');
    const forged = await anonymous.get('/v2/', bearer(`${header}.${widened}.${signature}`));
    assert.equal(forged.status, 401);
    assert.match(forged.headers.get('www-authenticate') ?? '', /^Bearer realm="[^"]+\/jwt\/auth",service="container_registry"$/);
    assert.equal((await failures('registry token signature invalid')).length, 1);

    // Signed with the instance's own key (read from its key file), but out of date: no waiting on a clock.
    const keyFile = join(trove.dataDir, 'secrets', 'registry-token.key');
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600, 'the registry token key file is private');
    const key = await registryTokenKey(keyFile);
    const expired = issueRegistryToken(
      key,
      { issuer: 'trove', service: 'container_registry', subject: 'dev', credential: claims.credential, access: claims.access, lifetimeSeconds: TOKEN_SECONDS },
      Date.now() - 2 * TOKEN_SECONDS * 1000,
    ).token;
    const current = issueRegistryToken(key, { issuer: 'trove', service: 'container_registry', subject: 'dev', credential: claims.credential, access: claims.access, lifetimeSeconds: TOKEN_SECONDS }).token;
    assert.notEqual((await anonymous.get('/v2/', bearer(current))).status, 401, 'the same key and claims, in date: accepted');
    // Whoever reads the database finds no signing secret there.
    const db = openDatabase({ sqliteFile: join(trove.dataDir, 'trove.db'), postgresUrl: trove.databaseUrl });
    try {
      const settings = await db.selectFrom('instance_settings').select(['key', 'value']).execute();
      assert.equal(settings.some((s) => s.value.includes(key.toString('base64url')) || s.key.includes('token_secret')), false);
    } finally {
      await db.destroy();
    }
    assert.equal((await anonymous.get('/v2/', bearer(expired))).status, 401);
    assert.equal((await failures('registry token expired')).length, 1);
    assert.equal((await anonymous.get('/v2/', basic('glpat-BADD-not-a-real-token-0123456789'))).headers.get('www-authenticate')?.startsWith('Bearer realm='), true, 'a bad Basic credential on /v2/ gets the Bearer challenge');
  });

  describe('skopeo over the token flow', () => {
    let oci: OciWorkspace;
    let registry: string;
    /** skopeo's `--creds USER:TOKEN` of a Basic header. */
    const skopeoCreds = (auth: AuthHeader) => Buffer.from(auth.Authorization.split(' ')[1], 'base64').toString('utf8');

    before(() => {
      oci = new OciWorkspace(tempDir('trove-oci-token-'));
      registry = `docker://${new URL(trove.baseUrl).host}`;
    });

    it('pushes with write_registry (the event names that token), is refused with read_registry, deletes as a maintainer only', async () => {
      const image = await oci.image('one', { 'hello.txt': 'hello\n' });
      const pushed = await oci.copy(image, `${registry}/${API}:1.0`, skopeoCreds(creds['dev:write_registry']));
      assert.equal(pushed.code, 0, pushed.stderr);
      const events = (await world.root.expect(200, 'GET', '/api/v4/audit_events?event_name=container_registry_manifest_pushed&per_page=100')) as any[];
      assert.deepEqual(
        events.map((e) => e.actor.token_name),
        ['write_registry'],
        'the registry token acts as the personal access token it was issued for',
      );

      const refused = await oci.copy(image, `${registry}/${API}:2.0`, skopeoCreds(creds['dev:read_registry']));
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /denied|unauthorized|insufficient/i);

      const ref = `${registry}/${API}:1.0`;
      const developerDelete = await oci.skopeo(['delete', '--tls-verify=false', '--creds', skopeoCreds(creds['dev:write_registry']), ref]);
      assert.notEqual(developerDelete.code, 0, 'a developer may not delete');
      const maintainerDelete = await oci.skopeo(['delete', '--tls-verify=false', '--creds', skopeoCreds(creds['maint:write_registry']), ref]);
      assert.equal(maintainerDelete.code, 0, maintainerDelete.stderr);
    });

    it('pulls a public image without credentials (an anonymous token), and nothing private', async () => {
      const image = await oci.image('public', { 'site.txt': 'site\n' });
      const pushed = await oci.copy(image, `${registry}/${PUBLIC}:1.0`, skopeoCreds(creds['maint:write_registry']));
      assert.equal(pushed.code, 0, pushed.stderr);
      const inspected = await oci.skopeo(['inspect', '--tls-verify=false', `${registry}/${PUBLIC}:1.0`]);
      assert.equal(inspected.code, 0, inspected.stderr);
      assert.equal(JSON.parse(inspected.stdout).Digest, pushed.digest);
      const refused = await oci.skopeo(['inspect', '--tls-verify=false', `${registry}/${API}:1.0`]);
      assert.notEqual(refused.code, 0);
    });

    it('a registry token allows only what it was granted, for the repository it names, even when the credential could do more', async () => {
      const upload = async (token: string, name = API) => (await anonymous.request('POST', `/v2/${name}/blobs/uploads/`, undefined, bearer(token))).status;
      const pullOnly = await tokenFor(creds['dev:write_registry'], `repository:${API}:pull`);
      const pullPush = await tokenFor(creds['dev:write_registry'], `repository:${API}:pull,push`);
      const elsewhere = await tokenFor(creds['dev:write_registry'], `repository:${API}/other:pull,push`);
      assert.equal(await upload(pullPush), 202);
      const refused = await anonymous.request('POST', `/v2/${API}/blobs/uploads/`, undefined, bearer(pullOnly));
      assert.equal(refused.status, 401, 'push not granted: the token protocol asks for a token with more scope');
      assert.match(refused.headers.get('www-authenticate') ?? '', new RegExp(`^Bearer realm=".*/jwt/auth",service="container_registry",scope="repository:${API}:pull,push",error="insufficient_scope"$`));
      assert.equal((JSON.parse(refused.text) as { errors: { code: string }[] }).errors[0].code, 'DENIED');
      assert.equal(await upload(elsewhere), 401, 'granted for another repository');
      assert.equal(await upload(elsewhere, `${API}/other`), 202);
    });
  });
});

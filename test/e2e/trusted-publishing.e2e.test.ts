import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/storage/db/database.js';
import { Api, basic, bearer } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { launchChromium } from '../support/browser.js';
import { Maven } from '../support/maven.js';
import { makePackage, NpmClient } from '../support/npm-client.js';
import { OciWorkspace } from '../support/oci-workspace.js';
import { startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js';
import { buildProject, twineUpload } from '../support/python-client.js';
import { tempDir } from '../support/temp-dir.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { newUiPage, signInWithToken } from '../support/web-ui-browser.js';
import { World } from '../support/world.js';

// Trusted publishing end to end (docs/api.md#trusted-publishing-the-token-exchange): a CI job's OIDC ID
// token from a test issuer (GitLab CI- and GitHub Actions-shaped) is exchanged at
// POST /api/v4/oidc/token for a 15-minute trove_oidc_ token, with which the real npm, twine, mvn
// and skopeo publish; the events name the oidc actor and the pipeline from the claims. Each
// refusal is answered 401 (400 when malformed) and audited as oidc_token_exchange_denied; the
// minted token reaches no other project, deletes nothing, and is refused once expired.

const GITHUB_WORKFLOW = 'acme/web-app/.github/workflows/release.yml@refs/heads/main';

describe('trusted publishing (OIDC)', () => {
  let trove: RunningTrove;
  let world: World;
  let anonymous: Api;
  let issuer: OidcIssuer;
  let stranger: OidcIssuer;
  let webApp: { id: number; path_with_namespace: string };
  let other: { id: number; path_with_namespace: string };
  const publisherIds: Record<string, number> = {};
  /** The minted tokens of the first exchanges, used by the publishing tests. */
  let gitlabToken: string;
  let githubToken: string;
  let replayable: string;

  const publishers = (projectId: number) => `/api/v4/projects/${projectId}/packages/trusted_publishers`;
  const projectEvents = (projectId = webApp.id) => `/api/v4/projects/${projectId}/audit_events`;
  const exchange = (body: Record<string, unknown>) => anonymous.request('POST', '/api/v4/oidc/token', body);
  const denials = async () => (await world.root.expect(200, 'GET', '/api/v4/audit_events?event_name=oidc_token_exchange_denied&per_page=100')) as any[];
  const gitlab = (overrides: Record<string, unknown> = {}) => issuer.gitlabClaims({ project_path: 'acme/web-app', ...overrides });

  before(async () => {
    trove = await startTrove({ env: { TROVE_OIDC_ALLOW_INSECURE_ISSUERS: '1' } });
    world = new World(trove);
    anonymous = new Api(trove.baseUrl);
    [issuer, stranger] = await Promise.all([startOidcIssuer(), startOidcIssuer()]);
    const acme = await world.group('acme');
    webApp = await world.project('web-app', acme.id);
    other = await world.project('other', acme.id);
    const register = async (name: string, projectId: number, body: Record<string, unknown>) => {
      publisherIds[name] = (await world.root.expect(201, 'POST', publishers(projectId), { issuer: issuer.url, audience: trove.baseUrl, ...body })).id;
    };
    await register('gitlab', webApp.id, { claims: { project_path: 'acme/web-app', ref: 'main', ref_protected: 'true' } });
    await register('github', webApp.id, { claims: { repository: 'acme/web-app', workflow_ref: GITHUB_WORKFLOW } });
    // One CI project publishing to two Trove projects: its token matches both, and is refused.
    await register('shared-web', webApp.id, { claims: { project_path: 'acme/shared' } });
    await register('shared-other', other.id, { claims: { project_path: 'acme/shared' } });
    await register('limited', webApp.id, { claims: { project_path: 'acme/cli' }, package_type: 'npm', package_name_pattern: '@acme/cli*' });
  });

  after(async () => {
    await trove?.stop();
    await Promise.all([issuer?.close(), stranger?.close()]);
  });

  it('exchanges a GitLab CI ID token for a 15-minute token of the one project, audited with the oidc actor and the pipeline', async () => {
    const idToken = await issuer.mint(gitlab(), { audience: trove.baseUrl });
    const before = Date.now();
    const res = await exchange({ id_token: idToken });
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.token, /^trove_oidc_/);
    assert.deepEqual([res.body.project, res.body.trusted_publisher_id], [{ id: webApp.id, full_path: 'acme/web-app' }, publisherIds.gitlab]);
    const lifetime = Date.parse(res.body.expires_at) - before;
    assert.ok(lifetime > 14 * 60_000 && lifetime <= 15 * 60_000 + 5000, `expires in ${lifetime} ms`);
    gitlabToken = res.body.token;
    replayable = idToken;

    const event = await latestEvent(world.root, projectEvents(), 'oidc_token_exchanged');
    assert.equal(event.actor.type, 'oidc');
    assert.deepEqual([event.actor.issuer, event.actor.subject, event.actor.trusted_publisher_id], [issuer.url, 'project_path:acme/web-app:ref_type:branch:ref:main', publisherIds.gitlab]);
    assert.deepEqual([event.actor.claims.project_path, event.actor.claims.ref, event.actor.claims.pipeline_id, event.actor.claims.ref_protected], ['acme/web-app', 'main', '1001', 'true']);
    assert.equal(event.actor.claims.user_email, undefined, 'only the identifying and matched claims are kept');
    assert.equal(event.via, 'pipeline');
    assert.deepEqual(event.pipeline, {
      id: 1001, job_id: 5001, project_path: 'acme/web-app', ref: 'main', sha: 'a'.repeat(40), url: `${issuer.url}/acme/web-app/-/pipelines/1001`, source: 'gitlab_ci',
    });
    assert.ok(!JSON.stringify(event).includes(idToken.split('.')[2]!) && !JSON.stringify(event).includes(gitlabToken), 'neither token is recorded');
  });

  // Key rotation at the issuer is picked up: src/core/oidc/id-token-verifier.test.ts (its refetch is rate-limited in time).
  it('exchanges a GitHub Actions ID token (ES256)', async () => {
    const claims = issuer.githubClaims({ repository: 'acme/web-app' });
    const res = await exchange({ id_token: await issuer.mint(claims, { audience: trove.baseUrl, alg: 'ES256' }) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.trusted_publisher_id, publisherIds.github);
    githubToken = res.body.token;
    const event = await latestEvent(world.root, projectEvents(), 'oidc_token_exchanged');
    assert.deepEqual(event.pipeline, {
      id: 9001, job_id: null, project_path: 'acme/web-app', ref: 'main', sha: 'b'.repeat(40), url: null,
      source: 'github_actions', repository: 'acme/web-app', workflow: GITHUB_WORKFLOW, run_attempt: 1,
    });
  });

  it('npm, twine and mvn publish with the exchanged token; each event has the oidc actor, via pipeline and the pipeline', async () => {
    const npm = new NpmClient(`${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/npm/`, gitlabToken);
    const published = await npm.npm(['publish'], makePackage('@acme/ui', '1.0.0'));
    assert.equal(published.code, 0, published.stderr);

    const wheel = await buildProject({ name: 'acme-tool', version: '0.1.0', module: 'acme_tool' });
    const twine = await twineUpload(`${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/pypi`, '__token__', gitlabToken, [wheel.wheel]);
    assert.equal(twine.code, 0, twine.stderr + twine.stdout);

    const jar = join(tempDir('trove-oidc-jar-'), 'greeter.jar');
    writeFileSync(jar, 'not really a jar, and Maven does not mind');
    const mvn = await Maven.create({ basic: { username: 'ci', token: gitlabToken } }).deployFile(jar, { groupId: 'com.acme', artifactId: 'greeter', version: '1.0' }, `${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/maven`);
    assert.equal(mvn.code, 0, mvn.stderr + mvn.stdout);

    const events = (await world.root.expect(200, 'GET', `${projectEvents()}?event_name=package_registry_package_published&per_page=100`)) as any[];
    assert.deepEqual(events.map((e) => e.package.format).sort(), ['maven', 'npm', 'pypi']);
    for (const event of events) {
      assert.deepEqual([event.actor.type, event.actor.trusted_publisher_id, event.via, event.pipeline?.id, event.pipeline?.source], ['oidc', publisherIds.gitlab, 'pipeline', 1001, 'gitlab_ci'], event.package.format);
    }
    const pkg = (await world.root.expect(200, 'GET', `/api/v4/projects/${webApp.id}/packages?package_type=npm`)) as any[];
    assert.deepEqual([pkg[0].published_by.actor.type, pkg[0].published_by.pipeline.sha], ['oidc', 'a'.repeat(40)], 'the package page reads published_by');

    const browser = await launchChromium();
    try {
      const page = await newUiPage(browser);
      await page.goto(`${trove.baseUrl}/projects/acme/web-app/-/packages/${pkg[0].id}`);
      await signInWithToken(page, trove.rootToken);
      await page.getByText('Published by pipeline 1001 of acme/web-app at commit aaaaaaa, via trusted publishing').waitFor();
    } finally {
      await browser.close();
    }
  });

  it('skopeo pushes with the exchanged token as the password of any username (/jwt/auth)', async () => {
    const oci = new OciWorkspace(tempDir('trove-oidc-oci-'));
    const image = await oci.image('one', { 'hello.txt': 'hello\n' });
    const registry = `docker://${new URL(trove.baseUrl).host}`;
    const pushed = await oci.copy(image, `${registry}/acme/web-app:1.0`, `anyone:${githubToken}`);
    assert.equal(pushed.code, 0, pushed.stderr);
    const event = await latestEvent(world.root, projectEvents(), 'container_registry_manifest_pushed');
    assert.deepEqual([event.actor.type, event.via, event.pipeline.id, event.pipeline.repository], ['oidc', 'pipeline', 9001, 'acme/web-app']);

    const elsewhere = await oci.copy(image, `${registry}/acme/other:1.0`, `anyone:${githubToken}`);
    assert.notEqual(elsewhere.code, 0, 'no push to another project');
    const deleted = await oci.skopeo(['delete', '--tls-verify=false', '--creds', `anyone:${githubToken}`, `${registry}/acme/web-app:1.0`]);
    assert.notEqual(deleted.code, 0, 'no delete');
    const realm = await anonymous.get('/jwt/auth?service=container_registry&scope=repository:acme/web-app:pull,push,delete&scope=repository:acme/other:pull,push', basic(githubToken, 'x'));
    const claims = JSON.parse(Buffer.from(realm.body.token.split('.')[1], 'base64url').toString('utf8'));
    assert.deepEqual(claims.access.map((a: any) => `${a.name}:${a.actions.join(',')}`), ['acme/web-app:pull,push', 'acme/other:'], 'push and pull on its own project only');
  });

  it('the exchanged token reaches no other project (404), deletes nothing, writes nothing through the REST API, and keeps to its publisher\'s limits', async () => {
    const asOidc = anonymous.as(bearer(gitlabToken));
    assert.equal((await asOidc.get(`/api/v4/projects/${other.id}/packages/npm/@acme%2fui`)).status, 404);
    const intoOther = await new NpmClient(`${trove.baseUrl}/api/v4/projects/${other.id}/packages/npm/`, gitlabToken).npm(['publish'], makePackage('@acme/ui', '1.0.1'));
    assert.notEqual(intoOther.code, 0);
    assert.match(intoOther.stderr, /404/);

    const [npmPackage] = (await world.root.expect(200, 'GET', `/api/v4/projects/${webApp.id}/packages?package_type=npm`)) as any[];
    assert.equal((await asOidc.delete(`/api/v4/projects/${webApp.id}/packages/${npmPackage.id}`)).status, 403);
    assert.equal((await asOidc.get(`/api/v4/projects/${webApp.id}/packages/npm/-/package/@acme%2fui/dist-tags`)).status, 200, 'the reads a publish needs');
    const npmAsOidc = new NpmClient(`${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/npm/`, gitlabToken);
    const unpublish = await npmAsOidc.npm(['unpublish', '@acme/ui@1.0.0', '--force']);
    assert.notEqual(unpublish.code, 0, 'npm unpublish refused');
    assert.match(unpublish.stderr, /403/);
    assert.equal((await asOidc.post(publishers(webApp.id), { issuer: issuer.url, claims: { sub: 'x' } })).status, 403);

    const limited = await exchange({ id_token: await issuer.mint(gitlab({ project_path: 'acme/cli' }), { audience: trove.baseUrl }) });
    assert.equal(limited.status, 200, limited.text);
    const npm = new NpmClient(`${trove.baseUrl}/api/v4/projects/${webApp.id}/packages/npm/`, limited.body.token);
    assert.equal((await npm.npm(['publish'], makePackage('@acme/cli-tools', '1.0.0'))).code, 0, 'within the name pattern');
    const outside = await npm.npm(['publish'], makePackage('@acme/ui', '2.0.0'));
    assert.notEqual(outside.code, 0);
    const denied = await latestEvent(world.root, projectEvents(), 'package_registry_package_publish_denied');
    assert.equal(denied.actor.type, 'oidc');
    assert.match(denied.reason, new RegExp(`trusted publisher ${publisherIds.limited} may publish only packages named "@acme/cli\\*"`));
  });

  it('refuses, and audits with the reason, issuer and subject: wrong audience, expired, replayed, unknown key, claim mismatch, two projects, untrusted issuer, malformed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Promise<string> | string, number]> = [
      ['wrong_audience', issuer.mint(gitlab(), { audience: 'https://elsewhere.example' }), 401],
      ['expired', issuer.mint(gitlab(), { audience: trove.baseUrl, iat: now - 900, expiresIn: 300 }), 401],
      ['replayed_jti', replayable, 401],
      ['unknown_key', issuer.mint(gitlab(), { audience: trove.baseUrl, kid: 'not-published' }), 401],
      ['no_matching_publisher', issuer.mint(gitlab({ ref: 'feature' }), { audience: trove.baseUrl }), 401],
      ['ambiguous_publisher', issuer.mint(gitlab({ project_path: 'acme/shared' }), { audience: trove.baseUrl }), 401],
      ['issuer_not_trusted', stranger.mint(stranger.gitlabClaims({ project_path: 'acme/web-app' }), { audience: trove.baseUrl }), 401],
      ['malformed', 'not-a-jwt', 400],
    ];
    for (const [reason, idToken, status] of cases) {
      const res = await exchange({ id_token: await idToken });
      assert.equal(res.status, status, `${reason}: ${res.text}`);
      assert.equal(res.body.error, reason);
      assert.ok(typeof res.body.message === 'string' && res.body.message.length > 0);
    }
    const recorded = await denials();
    const replayed = await latestEvent(world.root, projectEvents(), 'oidc_token_exchange_denied');
    assert.deepEqual([replayed.reason, replayed.project.id], ['replayed_jti', webApp.id], 'a refusal that got as far as one project is stored there');
    for (const [reason] of cases) {
      const event = recorded.find((e) => e.reason === reason);
      assert.ok(event, `${reason} audited`);
      if (reason !== 'malformed') {
        assert.equal(event.actor.issuer, reason === 'issuer_not_trusted' ? stranger.url : issuer.url, reason);
        assert.match(event.actor.subject, /^project_path:acme\//, reason);
      }
    }
    assert.ok(!JSON.stringify(recorded).includes(replayable.split('.')[2]!), 'the ID token is never recorded');
    assert.ok(issuer.requests.length > 0 && !stranger.requests.includes('/oauth/discovery/keys'), 'keys are fetched only from trusted issuers');
  });

  it('refuses an issuer on a loopback or private address unless TROVE_OIDC_ALLOW_INSECURE_ISSUERS=1, before connecting to it, audited', async () => {
    // A Trove without the opt-in: an https issuer may be registered, but its keys are never fetched from a private address.
    const strict = await startTrove();
    try {
      const strictWorld = new World(strict);
      const project = await strictWorld.project('app', (await strictWorld.group('acme')).id);
      const privateIssuer = issuer.url.replace('http://', 'https://');
      await strictWorld.root.expect(201, 'POST', publishers(project.id), { issuer: privateIssuer, claims: { project_path: 'acme/app' } });
      const before = issuer.requests.length;
      const idToken = await issuer.mint({ ...issuer.gitlabClaims({ project_path: 'acme/app' }), iss: privateIssuer }, { audience: strict.baseUrl });
      const res = await new Api(strict.baseUrl).request('POST', '/api/v4/oidc/token', { id_token: idToken });
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.error, 'issuer_address_refused');
      assert.match(res.body.message, /TROVE_OIDC_ALLOW_INSECURE_ISSUERS/);
      assert.equal(issuer.requests.length, before, 'nothing was fetched from the private address');
      const [event] = await strictWorld.root.expect(200, 'GET', '/api/v4/audit_events?event_name=oidc_token_exchange_denied');
      assert.deepEqual([event.reason, event.actor.issuer, event.actor.subject], ['issuer_address_refused', privateIssuer, 'project_path:acme/app:ref_type:branch:ref:main']);
    } finally {
      await strict.stop();
    }
  });

  it('a group\'s publisher grants only the project the request names (a form body here)', async () => {
    const acme = await world.root.expect(200, 'GET', '/api/v4/groups/acme');
    const groupPublisher = await world.root.expect(201, 'POST', `/api/v4/groups/${acme.id}/packages/trusted_publishers`, { issuer: issuer.url, audience: trove.baseUrl, claims: { project_path: 'acme/monorepo' } });
    const form = async (fields: Record<string, string>) =>
      anonymous.request('POST', '/api/v4/oidc/token', new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    const mint = () => issuer.mint(gitlab({ project_path: 'acme/monorepo' }), { audience: trove.baseUrl });
    const unnamed = await form({ id_token: await mint() });
    assert.deepEqual([unnamed.status, unnamed.body.error], [401, 'no_matching_publisher']);
    const named = await form({ id_token: await mint(), project: 'acme/other' });
    assert.equal(named.status, 200, named.text);
    assert.deepEqual([named.body.project.full_path, named.body.trusted_publisher_id], ['acme/other', groupPublisher.id]);
    await world.root.expect(204, 'DELETE', `/api/v4/groups/${acme.id}/packages/trusted_publishers/${groupPublisher.id}`);
  });

  it('the group\'s access review lists the trusted publishers, with their last exchange', async () => {
    const review = await world.root.expect(200, 'GET', `/api/v4/groups/${webApp.path_with_namespace.split('/')[0]}/access_review`);
    const listed = (review.credentials as any[]).filter((c) => c.kind === 'trusted_publisher');
    assert.deepEqual(listed.map((c) => c.id).sort((a, b) => a - b), Object.values(publisherIds).sort((a, b) => a - b));
    const gitlabPublisher = listed.find((c) => c.id === publisherIds.gitlab);
    assert.deepEqual([gitlabPublisher.owner.path, gitlabPublisher.last_used_at !== null], ['acme/web-app', true], 'the exchanges are its uses');
    assert.equal(listed.find((c) => c.id === publisherIds['shared-other']).last_used_at, null, 'never exchanged for');
  });

  it('refuses the minted token once it is older than 15 minutes, everywhere', async () => {
    // An expiry in the past, written as the clock would have it 15 minutes on (no waiting).
    const db = openDatabase({ sqliteFile: join(trove.dataDir, 'trove.db'), postgresUrl: trove.databaseUrl });
    try {
      await db.updateTable('oidc_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('trusted_publisher_id', '=', publisherIds.gitlab).execute();
    } finally {
      await db.destroy();
    }
    const asOidc = anonymous.as(bearer(gitlabToken));
    assert.equal((await asOidc.get(`/api/v4/projects/${webApp.id}/packages/npm/@acme%2fui`)).status, 401);
    assert.equal((await anonymous.get('/jwt/auth?service=container_registry&scope=repository:acme/web-app:pull', basic(gitlabToken))).status, 401);
    const failures = (await world.root.expect(200, 'GET', '/api/v4/audit_events?event_name=authentication_failed&per_page=100')) as any[];
    assert.ok(failures.some((e) => e.reason === 'token expired' && e.details.target_type === 'OidcToken' && e.details.credential_prefix.startsWith('trove_oidc_')), JSON.stringify(failures.map((e) => [e.reason, e.details.credential_prefix])));
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api } from '../support/api.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// The wire rules of docs/api.md#gitlab-wire-compatibility that GitLab's own clients rely on, request by request: every JSON
// response (errors too) says exactly `Content-Type: application/json`; `Content-Type:
// application/json` with no body is accepted as no parameters; /version and /metadata answer
// signed-in callers; without a token the public groups and projects are listed and shown.
// python-gitlab itself drives the same rules in gitlab-client.e2e.test.ts.

describe('GitLab wire rules', () => {
  let trove: RunningTrove;
  let world: World;
  let anonymous: Api;
  let publicGroup: { id: number; full_path: string };
  let publicProject: { id: number; path_with_namespace: string };
  let privateProject: { id: number; path_with_namespace: string };

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    anonymous = new Api(trove.baseUrl);
    publicGroup = await world.group('open', undefined, 'public');
    publicProject = await world.project('docs', publicGroup.id, 'public');
    const closed = await world.group('closed');
    privateProject = await world.project('vault', closed.id);
  });

  after(async () => {
    await trove?.stop();
  });

  it('says exactly application/json on successes and on every kind of error', async () => {
    const responses = [
      ['a single resource', await world.root.get(`/api/v4/projects/${publicProject.id}`), 200],
      ['a created resource', await world.root.request('POST', '/api/v4/groups', { name: 'made', path: 'made' }), 201],
      ['an unknown route', await world.root.get('/api/v4/no-such-thing'), 404],
      ['a hidden resource', await anonymous.get(`/api/v4/projects/${privateProject.id}`), 404],
      ['no credential', await anonymous.get('/api/v4/user'), 401],
      ['a bad credential', await anonymous.as({ 'PRIVATE-TOKEN': 'glpat-not-a-token' }).get('/api/v4/user'), 401],
      ['a parameter out of range', await world.root.get('/api/v4/projects?per_page=0'), 400],
      ['malformed JSON', await world.root.request('POST', '/api/v4/groups', '{"name":'), 400],
      ['the version', await world.root.get('/api/v4/version'), 200],
    ] as const;
    for (const [what, res, status] of responses) {
      assert.equal(res.status, status, `${what}: ${res.text}`);
      assert.equal(res.headers.get('content-type'), 'application/json', what);
    }
  });

  it('accepts Content-Type: application/json with an empty body, as python-gitlab\'s DELETE sends it, and reads it as no parameters', async () => {
    const bob = await world.user('bob');
    await world.addMember('groups', publicGroup.id, bob, 30);
    const removed = await world.root.request('DELETE', `/api/v4/groups/${publicGroup.id}/members/${bob.id}`, '', { 'content-type': 'application/json' });
    assert.equal(removed.status, 204, removed.text);
    const members = await world.root.expect(200, 'GET', `/api/v4/groups/${publicGroup.id}/members`);
    assert.equal(members.some((m: { id: number }) => m.id === bob.id), false);

    // A POST without a body is a request without parameters: GitLab's "<name> is missing", not a parse error.
    const noBody = await world.root.request('POST', `/api/v4/groups/${publicGroup.id}/members`, '', { 'content-type': 'application/json' });
    assert.equal(noBody.status, 400, noBody.text);
    assert.deepEqual(noBody.body, { error: 'user_id is missing' });
    // Whitespace is still not JSON.
    assert.equal((await world.root.request('POST', '/api/v4/groups', ' ', { 'content-type': 'application/json' })).status, 400);
  });

  it('answers /version and /metadata in GitLab\'s shape to a signed-in caller, and 401 without a token', async () => {
    const carol = await world.user('carol', ['read_api']);
    const version = await carol.api.expect(200, 'GET', '/api/v4/version');
    assert.deepEqual(Object.keys(version).sort(), ['revision', 'version']);
    assert.match(version.version, /^\d+\.\d+\.\d+/);
    const metadata = await carol.api.expect(200, 'GET', '/api/v4/metadata');
    assert.equal(metadata.version, version.version);
    assert.equal(metadata.revision, version.revision);
    assert.equal(metadata.enterprise, false);
    assert.equal(metadata.kas.enabled, false);
    for (const path of ['/api/v4/version', '/api/v4/metadata']) {
      const res = await anonymous.get(path);
      assert.equal(res.status, 401, path);
      assert.deepEqual(res.body, { message: '401 Unauthorized' });
    }
  });

  it('lists and shows public groups and projects without a token, and nothing private', async () => {
    const projects = await anonymous.get('/api/v4/projects');
    assert.equal(projects.status, 200, projects.text);
    assert.deepEqual(projects.body.map((p: { path_with_namespace: string }) => p.path_with_namespace), ['open/docs']);
    assert.equal(projects.headers.get('x-total'), '1');
    const groups = await anonymous.get('/api/v4/groups');
    assert.equal(groups.status, 200, groups.text);
    assert.deepEqual(groups.body.map((g: { full_path: string }) => g.full_path), ['open']);
    assert.equal((await anonymous.get(`/api/v4/projects/${publicProject.id}`)).body.path_with_namespace, 'open/docs');
    assert.equal((await anonymous.get(`/api/v4/projects/${encodeURIComponent('open/docs')}`)).status, 200);
    assert.equal((await anonymous.get(`/api/v4/groups/${publicGroup.id}`)).body.full_path, 'open');
    assert.deepEqual((await anonymous.get(`/api/v4/groups/${publicGroup.id}/projects`)).body.map((p: { path: string }) => p.path), ['docs']);
    assert.equal((await anonymous.get(`/api/v4/projects/${privateProject.id}`)).status, 404);
    assert.equal((await anonymous.get('/api/v4/groups/closed')).status, 404);
    // A credential that is not an API user's is still refused, as before.
    const deploy = await world.deployToken('projects', publicProject.id, 'ci', ['read_package_registry']);
    assert.equal((await anonymous.as({ 'Deploy-Token': deploy.token }).get('/api/v4/projects')).status, 403);
  });
});

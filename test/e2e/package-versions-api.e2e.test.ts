import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { publishOk } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// The two reads behind the web UI's package page: every version of exactly one package's name
// (GitLab's package_name filter matches substrings) paged like every list, and every dist-tag of
// the name, also those on versions beyond the first page. 55 versions, published as npm does.

const NAME = '@acme/many';
const VERSIONS = Array.from({ length: 55 }, (_, i) => `1.0.${i}`);

describe('package versions and dist-tags API', () => {
  let trove: RunningTrove;
  let world: World;
  let reader: TestUser;
  let outsider: TestUser;
  let project: { id: number };
  let anyVersionId: number;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    const group = await world.group('acme');
    project = await world.project('web-app', group.id);
    reader = await world.user('rita');
    outsider = await world.user('otto');
    await world.addMember('projects', project.id, reader, 20);
    for (const version of VERSIONS) await publishOk(world.root, project.id, NAME, version);
    // Names that contain NAME, or that it contains, must not mix in.
    await publishOk(world.root, project.id, '@acme/many-more', '9.9.9');
    await publishOk(world.root, project.id, '@acme/man', '8.8.8');
    const tag = await world.root.request('PUT', `/api/v4/projects/${project.id}/packages/npm/-/package/${encodeURIComponent(NAME)}/dist-tags/legacy`, '"1.0.0"');
    assert.equal(tag.status, 200, tag.text);
    const [pkg] = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_name=${encodeURIComponent(NAME)}&package_version=1.0.30`);
    anyVersionId = pkg.id;
  });

  after(async () => {
    await trove?.stop();
  });

  it('pages through every version of exactly that name, newest first', async () => {
    const path = `/api/v4/projects/${project.id}/packages/${anyVersionId}/versions?order_by=created_at&sort=desc&per_page=50`;
    const first = await reader.api.get(path);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('x-total'), '55');
    assert.equal(first.headers.get('x-total-pages'), '2');
    assert.equal(first.body.length, 50);
    const second = await reader.api.get(`${path}&page=2`);
    assert.equal(second.body.length, 5);
    const seen = [...first.body, ...second.body];
    assert.ok(seen.every((p: any) => p.name === NAME));
    assert.deepEqual(seen.map((p: any) => p.version), [...VERSIONS].reverse());
    assert.ok(seen.every((p: any) => p.published_by.actor.username === 'root'), 'the same package JSON as the list');
  });

  it('lists every dist-tag of the name, also on a version beyond the first page', async () => {
    const res = await reader.api.get(`/api/v4/projects/${project.id}/packages/${anyVersionId}/dist_tags`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.map((t: any) => [t.name, t.version]), [
      ['latest', '1.0.54'],
      ['legacy', '1.0.0'],
    ]);
  });

  it('answers 404 to someone who cannot see the project, and for a package of another project', async () => {
    assert.equal((await outsider.api.get(`/api/v4/projects/${project.id}/packages/${anyVersionId}/versions`)).status, 404);
    assert.equal((await outsider.api.get(`/api/v4/projects/${project.id}/packages/${anyVersionId}/dist_tags`)).status, 404);
    const other = await world.project('elsewhere', 'acme');
    assert.equal((await world.root.get(`/api/v4/projects/${other.id}/packages/${anyVersionId}/dist_tags`)).status, 404);
  });
});

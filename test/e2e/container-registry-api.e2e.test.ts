import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latestEvent } from '../support/audit.js';
import { OCI_INDEX, OCI_MANIFEST, ociDigest, pushSmallImage } from '../support/oci-workspace.js';
import { pythonGitlab } from '../support/python-gitlab.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// GitLab's container registry REST API over images pushed through /v2/: repositories of a project
// and of a group, tags with their image (digest, size, platforms, pusher), a tag's history, and the
// deletes (one tag, in bulk, a whole repository), as curl and python-gitlab call them, with
// GitLab's permissions: reporters read, maintainers delete, strangers learn nothing.

const REPORTER = 20;
const DEVELOPER = 30;
const MAINTAINER = 40;

describe('container registry REST API', () => {
  let trove: RunningTrove;
  let world: World;
  let dev: TestUser;
  let reporter: TestUser;
  let maintainer: TestUser;
  let stranger: TestUser;
  let projectId: number;
  let groupId: number;
  let groupEvents: string;
  const digests: Record<string, string> = {};

  const repositories = (who: TestUser, query = '') => who.api.get(`/api/v4/projects/${projectId}/registry/repositories${query}`);
  async function repositoryId(path: string): Promise<number> {
    const list = await repositories(maintainer);
    const found = list.body.find((r: { path: string }) => r.path === path);
    assert.ok(found, `repository ${path} listed`);
    return found.id;
  }

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    const group = await world.group('acme');
    groupId = group.id;
    groupEvents = `/api/v4/groups/${group.id}/audit_events`;
    projectId = (await world.project('shop', group.id)).id;
    dev = await world.user('dev', ['api']);
    reporter = await world.user('reader', ['read_api']);
    maintainer = await world.user('boss', ['api']);
    stranger = await world.user('stranger', ['api']);
    await world.addMember('projects', projectId, dev, DEVELOPER);
    await world.addMember('projects', projectId, reporter, REPORTER);
    await world.addMember('projects', projectId, maintainer, MAINTAINER);
    digests.root = (await pushSmallImage(dev.api, 'acme/shop', 'latest', 'root image')).digest;
    digests.first = (await pushSmallImage(dev.api, 'acme/shop/api', 'prod', 'api one')).digest;
    digests.second = (await pushSmallImage(dev.api, 'acme/shop/api', 'prod', 'api two')).digest;
    for (const tag of ['1.0', '1.1', '2.0', 'keep-me']) await pushSmallImage(dev.api, 'acme/shop/api', tag, `api ${tag}`);
  });

  after(async () => {
    await trove?.stop();
  });

  it("lists a project's and a group's repositories to a reporter, with tags and counts as GitLab does", async () => {
    const list = await repositories(reporter, '?tags=true&tags_count=true');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.body.map((r: { path: string; name: string; tags_count: number }) => [r.path, r.name, r.tags_count]),
      [
        ['acme/shop', '', 1],
        ['acme/shop/api', 'api', 5],
      ],
    );
    const api = list.body[1];
    assert.equal(api.project_id, projectId);
    assert.equal(api.location, `${new URL(trove.baseUrl).host}/acme/shop/api`);
    assert.equal(api.created_by.actor.username, 'dev');
    assert.deepEqual(api.tags[0], { name: '1.0', path: 'acme/shop/api:1.0', location: `${new URL(trove.baseUrl).host}/acme/shop/api:1.0` });
    assert.equal((await repositories(reporter)).body[0].tags, undefined);

    const group = await reporter.api.get(`/api/v4/groups/${groupId}/registry/repositories`);
    assert.equal(group.status, 200);
    assert.deepEqual(group.body.map((r: { path: string }) => r.path), ['acme/shop', 'acme/shop/api']);
    const one = await reporter.api.get(`/api/v4/registry/repositories/${api.id}?size=true&tags_count=true`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.tags_count, 5);
    assert.ok(one.body.size > 0);

    // A stranger learns nothing: the project, the group and the repository are 404.
    assert.equal((await repositories(stranger)).status, 404);
    assert.equal((await stranger.api.get(`/api/v4/registry/repositories/${api.id}`)).status, 404);
    assert.equal((await stranger.api.get(`/api/v4/registry/repositories/${api.id}`)).body.message, '404 Repository Not Found');
    assert.equal((await stranger.api.get(`/api/v4/groups/${groupId}/registry/repositories`)).status, 404);
    assert.equal((await stranger.api.get(`/api/v4/projects/${projectId}/registry/repositories/${api.id}/tags`)).status, 404);
  });

  it('shows each tag with its digest, size, platforms and pusher, paged, and its history after a move', async () => {
    const id = await repositoryId('acme/shop/api');
    const tagsPath = `/api/v4/projects/${projectId}/registry/repositories/${id}/tags`;
    const page = await reporter.api.get(`${tagsPath}?per_page=2&page=2`);
    assert.equal(page.status, 200, page.text);
    assert.equal(page.headers.get('x-total'), '5');
    assert.equal(page.headers.get('x-total-pages'), '3');
    assert.deepEqual(page.body.map((t: { name: string }) => t.name), ['2.0', 'keep-me']);

    const prod = await reporter.api.get(`${tagsPath}/prod`);
    assert.equal(prod.status, 200, prod.text);
    assert.equal(prod.body.digest, digests.second);
    assert.equal(prod.body.path, 'acme/shop/api:prod');
    assert.equal(prod.body.short_revision, prod.body.revision.slice(0, 9));
    assert.deepEqual(prod.body.platforms, ['linux/amd64']);
    assert.equal(prod.body.pushed_by.actor.username, 'dev');
    assert.equal(prod.body.pushed_by.actor.token_name, 'dev-token');
    assert.ok(prod.body.total_size > Buffer.byteLength('layer api two'));
    assert.equal((await reporter.api.get(`${tagsPath}/nope`)).status, 404);

    const history = await reporter.api.get(`${tagsPath}/prod/history`);
    assert.equal(history.status, 200, history.text);
    assert.deepEqual(history.body.map((h: { digest: string }) => h.digest), [digests.second, digests.first]);
    assert.equal(history.body[0].pushed_by.actor.username, 'dev');
  });

  it("lists an index's platforms and counts its images in its size", async () => {
    const children = [];
    for (const [architecture, content] of [['amd64', 'multi amd64'], ['arm64', 'multi arm64']] as const) {
      const image = await pushSmallImage(dev.api, 'acme/shop/multi', null, content);
      children.push({ mediaType: OCI_MANIFEST, digest: image.digest, size: image.bytes.length, platform: { architecture, os: 'linux', ...(architecture === 'arm64' ? { variant: 'v8' } : {}) } });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children }));
    assert.equal((await dev.api.request('PUT', '/v2/acme/shop/multi/manifests/latest', index, { 'content-type': OCI_INDEX })).status, 201);
    const id = await repositoryId('acme/shop/multi');
    const tag = await reporter.api.get(`/api/v4/projects/${projectId}/registry/repositories/${id}/tags/latest`);
    assert.equal(tag.status, 200, tag.text);
    assert.equal(tag.body.digest, ociDigest(index));
    assert.equal(tag.body.media_type, OCI_INDEX);
    assert.deepEqual(tag.body.platforms, ['linux/amd64', 'linux/arm64/v8']);
    assert.ok(tag.body.total_size > index.length + children[0]!.size + children[1]!.size);
    // Every manifest and blob once: the index's total is all the repository holds.
    const repository = await reporter.api.get(`/api/v4/registry/repositories/${id}?size=true`);
    assert.equal(repository.body.size, tag.body.total_size);
    assert.equal((await maintainer.api.request('DELETE', `/api/v4/projects/${projectId}/registry/repositories/${id}`)).status, 202);
  });

  it('deletes a tag through python-gitlab as a maintainer, refuses a developer, and audits both', async () => {
    const script = `
      project = gl.projects.get(data['project'])
      repository = [r for r in project.repositories.list(get_all=True) if r.path == 'acme/shop/api'][0]
      out['tags'] = [t.name for t in repository.tags.list(get_all=True)]
      tag = repository.tags.get('1.0')
      out['digest'] = tag.digest
      if data['delete']:
          tag.delete()
      else:
          out['refused'] = http_error(tag.delete)
      out['after'] = [t.name for t in repository.tags.list(get_all=True)]
    `;
    const refused = await pythonGitlab(trove.baseUrl, dev.token, script, { project: projectId, delete: false });
    assert.deepEqual(refused.tags, ['1.0', '1.1', '2.0', 'keep-me', 'prod']);
    assert.equal(refused.refused.status, 403);
    assert.deepEqual(refused.after, refused.tags);
    const denied = await latestEvent(world.root, groupEvents, 'container_registry_push_denied');
    assert.equal(denied.actor.username, 'dev');
    assert.equal(denied.details.target_details, 'acme/shop/api:1.0');

    const done = await pythonGitlab(trove.baseUrl, maintainer.token, script, { project: projectId, delete: true });
    assert.deepEqual(done.after, ['1.1', '2.0', 'keep-me', 'prod']);
    const deleted = await latestEvent(world.root, groupEvents, 'container_registry_tag_deleted');
    assert.equal(deleted.actor.username, 'boss');
    assert.equal(deleted.via, 'api');
    assert.deepEqual(deleted.changes.digest, { from: done.digest, to: null });
  });

  it('deletes tags in bulk by name regex, keeping name_regex_keep and the newest keep_n', async () => {
    const id = await repositoryId('acme/shop/api');
    const tagsPath = `/api/v4/projects/${projectId}/registry/repositories/${id}/tags`;
    assert.equal((await maintainer.api.request('DELETE', `${tagsPath}?keep_n=1`)).status, 400);
    assert.equal((await dev.api.request('DELETE', `${tagsPath}?name_regex_delete=.*`)).status, 403);
    // 1.1, 2.0 and prod match; keep-me is kept by name, and 2.0 (pointed last of the three) by keep_n.
    const bulk = await maintainer.api.request('DELETE', `${tagsPath}?name_regex_delete=${encodeURIComponent('.*')}&name_regex_keep=keep-.*&keep_n=1`);
    assert.equal(bulk.status, 202, bulk.text);
    assert.deepEqual(bulk.body.deleted, ['1.1', 'prod']);
    const left = await reporter.api.get(tagsPath);
    assert.deepEqual(left.body.map((t: { name: string }) => t.name), ['2.0', 'keep-me']);
    // A substring is not a match: GitLab's regexes match whole tag names.
    const partial = await maintainer.api.request('DELETE', `${tagsPath}?name_regex_delete=keep&older_than=1h`);
    assert.deepEqual(partial.body.deleted, []);
  });

  it('deletes a whole repository as a maintainer, auditing every tag and image and the repository', async () => {
    const id = await repositoryId('acme/shop');
    const path = `/api/v4/projects/${projectId}/registry/repositories/${id}`;
    assert.equal((await stranger.api.request('DELETE', path)).status, 404);
    assert.equal((await dev.api.request('DELETE', path)).status, 403);
    const deleted = await maintainer.api.request('DELETE', path);
    assert.equal(deleted.status, 202, deleted.text);
    assert.equal((await maintainer.api.get(`/api/v4/registry/repositories/${id}`)).status, 404);
    assert.deepEqual((await repositories(reporter)).body.map((r: { path: string }) => r.path), ['acme/shop/api']);

    const repositoryDeleted = await latestEvent(world.root, groupEvents, 'container_registry_repository_deleted');
    assert.equal(repositoryDeleted.package.name, 'acme/shop');
    assert.equal(repositoryDeleted.actor.username, 'boss');
    assert.deepEqual(repositoryDeleted.changes.tags, { from: ['latest'], to: [] });
    assert.deepEqual(repositoryDeleted.changes.manifests, { from: [digests.root], to: [] });
    const manifestDeleted = await latestEvent(world.root, groupEvents, 'container_registry_manifest_deleted');
    assert.equal(manifestDeleted.package.files[0].file_name, digests.root);
    const tagDeleted = await latestEvent(world.root, groupEvents, 'container_registry_tag_deleted');
    assert.equal(tagDeleted.package.name, 'acme/shop');
    assert.equal(tagDeleted.package.version, 'latest');
    // The /v2/ side agrees: the repository's tags are gone.
    assert.notEqual((await dev.api.get('/v2/acme/shop/manifests/latest')).status, 200);
  });

  it('refuses to rename or transfer a project, or a group above it, that holds container images (their names start with its path)', async () => {
    const root = world.root;
    const outer = await world.group('outer');
    const inner = await world.group('inner', outer.id);
    const elsewhere = await world.group('elsewhere');
    const holder = await world.project('holder', inner.id);
    await pushSmallImage(root, 'outer/inner/holder/app', 'v1', 'held image');
    const refused = [
      await root.request('PUT', `/api/v4/projects/${holder.id}`, { path: 'renamed' }),
      await root.request('PUT', `/api/v4/projects/${holder.id}/transfer`, { namespace: elsewhere.id }),
      await root.request('PUT', `/api/v4/groups/${inner.id}`, { path: 'inner2' }),
      await root.request('POST', `/api/v4/groups/${inner.id}/transfer`, { group_id: elsewhere.id }),
      await root.request('PUT', `/api/v4/groups/${outer.id}`, { path: 'outer2' }),
    ];
    for (const res of refused) {
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.message, /holds container images/);
    }
    assert.equal((await root.get('/v2/outer/inner/holder/app/manifests/v1')).status, 200, 'the image is still found under its name');
    // A name or description change leaves the path alone; once the repository is gone, the path can change.
    assert.equal((await root.request('PUT', `/api/v4/projects/${holder.id}`, { description: 'still here' })).status, 200);
    const list = await root.get(`/api/v4/projects/${holder.id}/registry/repositories`);
    for (const repository of list.body) assert.equal((await root.request('DELETE', `/api/v4/projects/${holder.id}/registry/repositories/${repository.id}`)).status, 202);
    assert.equal((await root.request('PUT', `/api/v4/projects/${holder.id}`, { path: 'renamed' })).status, 200);
  });
});


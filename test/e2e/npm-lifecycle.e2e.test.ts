import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, privateToken } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { makeConsumer, makePackage, NpmClient } from '../support/npm-client.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// The whole life of an npm package through the real npm CLI, reading the audit API after
// every step: who (actor, token name), how (via, client), where (entity), what (package).

describe('npm lifecycle with audit events', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let developer: TestUser;
  let maintainer: TestUser;
  let registry: string;
  const groupEvents = () => `/api/v4/groups/${group.id}/audit_events`;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    developer = await world.user('dana', ['api'], 'dana-laptop');
    maintainer = await world.user('max', ['api'], 'max-admin');
    await world.addMember('groups', group.id, developer, 30);
    await world.addMember('groups', group.id, maintainer, 40);
    registry = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/`;
  });

  after(async () => {
    await trove?.stop();
  });

  it('publishes with a deploy token and records who, how and what', async () => {
    const deploy = await world.deployToken('projects', project.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
    const client = new NpmClient(registry, deploy.token);
    const dir = makePackage('@acme/ui-kit', '1.4.0');
    const result = await client.npm(['publish'], dir);
    assert.equal(result.code, 0, result.stderr);

    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_published');
    assert.equal(event.entity_type, 'Group');
    assert.equal(event.entity_id, group.id);
    assert.equal(event.details.entity_path, 'acme');
    assert.equal(event.outcome, 'success');
    assert.deepEqual(
      { type: event.actor.type, token_id: event.actor.token_id, token_name: event.actor.token_name, owner: event.actor.token_owner_path },
      { type: 'deploy_token', token_id: deploy.id, token_name: 'release-bot', owner: 'acme/web-app' },
    );
    assert.equal(event.details.author_class, 'DeployToken');
    assert.equal(event.via, 'package_client');
    assert.equal(event.client.name, 'npm');
    assert.match(event.client.version, /^\d+\.\d+\.\d+/);
    assert.equal(event.pipeline, null);
    assert.deepEqual(event.project, { id: project.id, full_path: 'acme/web-app' });
    assert.equal(event.package.name, '@acme/ui-kit');
    assert.equal(event.package.version, '1.4.0');
    assert.equal(event.package.format, 'npm');

    // The file's sha256 in the event is the sha256 of the tarball clients download.
    const packument = await new Api(trove.baseUrl, privateToken(deploy.token)).get(`/api/v4/projects/${project.id}/packages/npm/@acme%2fui-kit`);
    const tarball = await fetch(packument.body.versions['1.4.0'].dist.tarball, { headers: privateToken(deploy.token) });
    const bytes = Buffer.from(await tarball.arrayBuffer());
    assert.equal(event.package.files.length, 1);
    assert.equal(event.package.files[0].file_name, 'ui-kit-1.4.0.tgz');
    assert.equal(event.package.files[0].size, bytes.length);
    assert.equal(event.package.files[0].sha256, createHash('sha256').update(bytes).digest('hex'));

    const tag = await latestEvent(world.root, groupEvents(), 'package_registry_package_tag_created');
    assert.deepEqual(tag.changes, { latest: { from: null, to: '1.4.0' } });

    const packages = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages`);
    assert.equal(packages[0].published_by.actor.token_name, 'release-bot');
    assert.equal(packages[0].published_by.client.name, 'npm');
  });

  it('publishes with a personal access token', async () => {
    const client = new NpmClient(registry, developer.token);
    const result = await client.npm(['publish'], makePackage('@acme/ui-kit', '1.5.0'));
    assert.equal(result.code, 0, result.stderr);
    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_published');
    assert.equal(event.package.version, '1.5.0');
    assert.equal(event.actor.type, 'personal_access_token');
    assert.equal(event.actor.user_id, developer.id);
    assert.equal(event.actor.username, 'dana');
    assert.equal(event.actor.token_name, 'dana-laptop');
    assert.equal(event.author_id, developer.id);
    assert.equal(event.details.auth_token_type, 'PersonalAccessToken');
    assert.equal(event.via, 'package_client');
  });

  it('publishes with a CI job token and records the pipeline', async () => {
    const job = await world.jobToken(project.id, {
      pipeline_id: 881,
      job_id: 4242,
      ref: 'main',
      sha: '3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b',
      pipeline_url: 'https://ci.example.test/acme/web-app/-/pipelines/881',
      user_id: developer.id,
    });
    const client = new NpmClient(registry, job.token);
    const result = await client.npm(['publish'], makePackage('@acme/ui-kit', '1.6.0'));
    assert.equal(result.code, 0, result.stderr);
    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_published');
    assert.equal(event.package.version, '1.6.0');
    assert.equal(event.actor.type, 'job_token');
    assert.equal(event.actor.user_id, developer.id);
    assert.equal(event.actor.token_id, job.id);
    assert.equal(event.via, 'pipeline');
    assert.equal(event.client.name, 'npm');
    assert.deepEqual(event.pipeline, {
      id: 881,
      job_id: 4242,
      project_path: 'acme/web-app',
      ref: 'main',
      sha: '3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b',
      url: 'https://ci.example.test/acme/web-app/-/pipelines/881',
    });
    const issued = await latestEvent(world.root, groupEvents(), 'ci_job_token_issued');
    assert.equal(issued.details.target_id, job.id);
  });

  it('says via=pipeline when npm runs in CI with a deploy token', async () => {
    const deploy = await world.deployToken('groups', group.id, 'group-bot', ['write_package_registry']);
    const client = new NpmClient(registry, deploy.token, { GITLAB_CI: 'true' });
    const result = await client.npm(['publish'], makePackage('plain-lib', '0.1.0'));
    assert.equal(result.code, 0, result.stderr);
    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_published');
    assert.equal(event.package.name, 'plain-lib');
    assert.equal(event.via, 'pipeline');
    assert.equal(event.actor.token_owner_path, 'acme');
    assert.match(event.user_agent, /ci\/gitlab/);
  });

  it('stores events of a user-namespace project on the project', async () => {
    const jane = await world.user('jane', ['api'], 'jane-cli');
    const own = await jane.api.expect(201, 'POST', '/api/v4/projects', { name: 'tools', path: 'tools' });
    const client = new NpmClient(`${trove.baseUrl}/api/v4/projects/${own.id}/packages/npm/`, jane.token);
    const result = await client.npm(['publish'], makePackage('jane-tools', '2.0.0'));
    assert.equal(result.code, 0, result.stderr);
    const event = await latestEvent(jane.api, `/api/v4/projects/${own.id}/audit_events`, 'package_registry_package_published');
    assert.equal(event.entity_type, 'Project');
    assert.equal(event.entity_id, own.id);
    assert.equal(event.details.entity_path, 'jane/tools');
    assert.equal(event.actor.token_name, 'jane-cli');
  });

  it('installs into an empty folder and the installed code runs', async () => {
    const reader = await world.deployToken('projects', project.id, 'reader', ['read_package_registry']);
    const client = new NpmClient(registry, reader.token);
    const consumer = makeConsumer();
    const result = await client.npm(['install', '@acme/ui-kit@1.5.0'], consumer);
    assert.equal(result.code, 0, result.stderr);
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules/@acme/ui-kit/package.json'), 'utf8'));
    assert.equal(installed.version, '1.5.0');
    const run = await client.run(process.execPath, ['-e', 'console.log(require("@acme/ui-kit"))'], consumer);
    assert.equal(run.stdout.trim(), '@acme/ui-kit@1.5.0');
    const lock = JSON.parse(readFileSync(join(consumer, 'package-lock.json'), 'utf8'));
    assert.match(lock.packages['node_modules/@acme/ui-kit'].integrity, /^sha512-/);
  });

  it('serves abbreviated metadata with ETags', async () => {
    const api = world.root;
    const path = `/api/v4/projects/${project.id}/packages/npm/@acme%2Fui-kit`;
    const abbreviated = await api.get(path, { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' });
    assert.equal(abbreviated.status, 200);
    assert.match(abbreviated.headers.get('content-type') ?? '', /application\/vnd\.npm\.install-v1\+json/);
    assert.ok(abbreviated.body.time, 'abbreviated documents keep time (pnpm needs it)');
    assert.equal(abbreviated.body.versions['1.4.0'].readme, undefined);
    const etag = abbreviated.headers.get('etag');
    assert.ok(etag);
    const again = await api.get(path, { accept: 'application/vnd.npm.install-v1+json', 'if-none-match': etag! });
    assert.equal(again.status, 304);
    const full = await api.get(path);
    assert.equal(full.body['dist-tags'].latest, '1.6.0');
    assert.ok(full.body._rev);
  });

  it('adds, moves, lists and removes dist-tags, each audited', async () => {
    const client = new NpmClient(registry, developer.token);
    let result = await client.npm(['dist-tag', 'add', '@acme/ui-kit@1.5.0', 'beta']);
    assert.equal(result.code, 0, result.stderr);
    let event = await latestEvent(world.root, groupEvents(), 'package_registry_package_tag_created');
    assert.deepEqual(event.changes, { beta: { from: null, to: '1.5.0' } });
    assert.equal(event.actor.token_name, 'dana-laptop');

    result = await client.npm(['dist-tag', 'add', '@acme/ui-kit@1.6.0', 'beta']);
    assert.equal(result.code, 0, result.stderr);
    event = await latestEvent(world.root, groupEvents(), 'package_registry_package_tag_updated');
    assert.deepEqual(event.changes, { beta: { from: '1.5.0', to: '1.6.0' } });

    result = await client.npm(['dist-tag', 'ls', '@acme/ui-kit']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /beta: 1\.6\.0/);
    assert.match(result.stdout, /latest: 1\.6\.0/);

    result = await client.npm(['dist-tag', 'rm', '@acme/ui-kit', 'beta']);
    assert.equal(result.code, 0, result.stderr);
    event = await latestEvent(world.root, groupEvents(), 'package_registry_package_tag_deleted');
    assert.deepEqual(event.changes, { beta: { from: '1.6.0', to: null } });
  });

  it('deprecates and un-deprecates a version', async () => {
    const client = new NpmClient(registry, developer.token);
    let result = await client.npm(['deprecate', '@acme/ui-kit@1.4.0', 'use 1.5 or later']);
    assert.equal(result.code, 0, result.stderr);
    let event = await latestEvent(world.root, groupEvents(), 'package_registry_package_deprecated');
    assert.equal(event.package.version, '1.4.0');
    assert.deepEqual(event.changes, { deprecated: { from: null, to: 'use 1.5 or later' } });
    const view = await client.npm(['view', '@acme/ui-kit@1.4.0', 'deprecated']);
    assert.equal(view.stdout.trim(), 'use 1.5 or later');

    result = await client.npm(['deprecate', '@acme/ui-kit@1.4.0', '']);
    assert.equal(result.code, 0, result.stderr);
    event = await latestEvent(world.root, groupEvents(), 'package_registry_package_undeprecated');
    assert.deepEqual(event.changes, { deprecated: { from: 'use 1.5 or later', to: null } });
  });

  it('refuses to republish an existing version and audits the refusal', async () => {
    // npm 11 refuses a known duplicate by itself, so send the PUT that pnpm and yarn would send.
    const tarball = await packageTarball('@acme/ui-kit', '1.5.0');
    const result = await developer.api.put(`/api/v4/projects/${project.id}/packages/npm/@acme%2fui-kit`, publishBody('@acme/ui-kit', '1.5.0', tarball));
    assert.equal(result.status, 403);
    assert.match(result.body.error, /previously published/);
    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_publish_denied');
    assert.equal(event.outcome, 'failure');
    assert.match(event.reason, /previously published/);
    assert.equal(event.package.version, '1.5.0');
    assert.equal(event.actor.token_name, 'dana-laptop');
  });

  it('unpublishes one version (maintainer), moving latest', async () => {
    const client = new NpmClient(registry, maintainer.token);
    const result = await client.npm(['unpublish', '@acme/ui-kit@1.6.0']);
    assert.equal(result.code, 0, result.stderr);
    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_deleted');
    assert.equal(event.package.version, '1.6.0');
    assert.equal(event.actor.token_name, 'max-admin');
    assert.equal(event.package.files[0].file_name, 'ui-kit-1.6.0.tgz');
    const moved = await latestEvent(world.root, groupEvents(), 'package_registry_package_tag_updated');
    assert.deepEqual(moved.changes, { latest: { from: '1.6.0', to: '1.5.0' } });
    const view = await client.npm(['view', '@acme/ui-kit', 'versions', '--json']);
    assert.deepEqual(JSON.parse(view.stdout), ['1.4.0', '1.5.0']);
  });

  it('refuses unpublish by a developer and audits it', async () => {
    const client = new NpmClient(registry, developer.token);
    const result = await client.npm(['unpublish', '@acme/ui-kit@1.4.0']);
    assert.notEqual(result.code, 0);
    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_publish_denied');
    assert.equal(event.actor.username, 'dana');
    assert.equal(event.package.version, '1.4.0');
  });

  it('unpublishes the whole package with --force: one event per version', async () => {
    const client = new NpmClient(registry, maintainer.token);
    const before = await world.root.get(`${groupEvents()}?event_name=package_registry_package_deleted`);
    const result = await client.npm(['unpublish', '@acme/ui-kit', '--force']);
    assert.equal(result.code, 0, result.stderr);
    const afterList = await world.root.get(`${groupEvents()}?event_name=package_registry_package_deleted`);
    const added = afterList.body.slice(0, afterList.body.length - before.body.length);
    assert.deepEqual(added.map((e: any) => e.package.version).sort(), ['1.4.0', '1.5.0']);
    const gone = await world.root.get(`/api/v4/projects/${project.id}/packages/npm/@acme%2fui-kit`);
    assert.equal(gone.status, 404);
    assert.ok(gone.body.error);
  });
});

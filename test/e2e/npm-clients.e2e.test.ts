// One backend: pnpm's and yarn's own requests; what npm-format writes do on each database is checked by npm-lifecycle and the conformance suite.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { latestEvent } from '../support/audit.js';
import { BIN, makeConsumer, makePackage, NpmClient, type ClientResult } from '../support/npm-client.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// pnpm and yarn 1 against Trove's npm registry, unchanged: they differ from npm in small ways
// (pnpm sends "%2F", asks GET /{name}/latest, neither GETs before publishing, yarn sends the
// token for unscoped packages only with always-auth). Then group-level install with npm.

/** Runs the installed module the way a consumer would, in the consumer's folder. */
function requireIn(dir: string, name: string): Promise<ClientResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', `process.stdout.write(String(require(${JSON.stringify(name)})))`], { cwd: dir }, (error, stdout, stderr) => {
      resolve({ code: error ? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function output(result: ClientResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

describe('pnpm and yarn against the project-level npm registry', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let developer: TestUser;
  let registry: string;
  const groupEvents = () => `/api/v4/groups/${group.id}/audit_events`;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    developer = await world.user('dana', ['api'], 'dana-laptop');
    await world.addMember('groups', group.id, developer, 30);
    registry = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/`;
  });

  after(async () => {
    await trove?.stop();
  });

  it('pnpm publishes a scoped package and the audit event names pnpm and the token', async () => {
    const client = new NpmClient(registry, developer.token);
    const result = await client.run(BIN.pnpm, ['publish', '--no-git-checks'], makePackage('@acme/pn-kit', '1.0.0'));
    assert.equal(result.code, 0, output(result));

    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_published');
    assert.equal(event.package.name, '@acme/pn-kit');
    assert.equal(event.package.version, '1.0.0');
    assert.equal(event.via, 'package_client');
    assert.equal(event.client.name, 'pnpm');
    assert.match(event.client.version, /^\d+\.\d+\.\d+/);
    assert.equal(event.actor.type, 'personal_access_token');
    assert.equal(event.actor.token_name, 'dana-laptop');
    assert.equal(event.actor.username, 'dana');
    assert.deepEqual(event.project, { id: project.id, full_path: 'acme/web-app' });
    assert.match(event.user_agent, /^pnpm\//);
  });

  it('pnpm adds the package into an empty project (GET /{name}/latest) and it runs', async () => {
    // pnpm resolves "latest" through the version/tag endpoint: check it directly as pnpm spells it.
    const latest = await world.root.get(`/api/v4/projects/${project.id}/packages/npm/@acme%2Fpn-kit/latest`);
    assert.equal(latest.status, 200, latest.text);
    assert.equal(latest.body.version, '1.0.0');

    const client = new NpmClient(registry, developer.token);
    const consumer = makeConsumer();
    writeFileSync(join(consumer, 'pnpm-workspace.yaml'), 'minimumReleaseAge: 0\n');
    const result = await client.run(BIN.pnpm, ['add', '@acme/pn-kit'], consumer);
    assert.equal(result.code, 0, output(result));
    const run = await requireIn(consumer, '@acme/pn-kit');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '@acme/pn-kit@1.0.0');
  });

  it('yarn publishes an unscoped package (always-auth) and the event names yarn', async () => {
    const client = new NpmClient(registry, developer.token);
    const result = await client.run(BIN.yarn, ['publish', '--non-interactive'], makePackage('yarn-lib', '2.1.0'));
    assert.equal(result.code, 0, output(result));

    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_published');
    assert.equal(event.package.name, 'yarn-lib');
    assert.equal(event.package.version, '2.1.0');
    assert.equal(event.via, 'package_client');
    assert.equal(event.client.name, 'yarn');
    assert.match(event.client.version, /^1\.\d+\.\d+/);
    assert.equal(event.actor.token_name, 'dana-laptop');
  });

  it('yarn publishes a scoped package too', async () => {
    const client = new NpmClient(registry, developer.token);
    const result = await client.run(BIN.yarn, ['publish', '--non-interactive'], makePackage('@acme/yarn-kit', '0.3.0'));
    assert.equal(result.code, 0, output(result));
    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_published');
    assert.equal(event.package.name, '@acme/yarn-kit');
    assert.equal(event.client.name, 'yarn');
  });

  it('yarn adds the package into an empty project and it runs', async () => {
    const client = new NpmClient(registry, developer.token);
    const consumer = makeConsumer();
    const result = await client.run(BIN.yarn, ['add', 'yarn-lib', '--non-interactive'], consumer);
    assert.equal(result.code, 0, output(result));
    const run = await requireIn(consumer, 'yarn-lib');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'yarn-lib@2.1.0');

    const scoped = await client.run(BIN.yarn, ['add', '@acme/yarn-kit', '--non-interactive'], consumer);
    assert.equal(scoped.code, 0, output(scoped));
    assert.equal((await requireIn(consumer, '@acme/yarn-kit')).stdout, '@acme/yarn-kit@0.3.0');
  });

  it('refuses a yarn install without a token (the registry is private)', async () => {
    const client = new NpmClient(registry, null);
    const result = await client.run(BIN.yarn, ['add', 'yarn-lib', '--non-interactive'], makeConsumer());
    assert.notEqual(result.code, 0, output(result));
  });
});

describe('group-level npm install', () => {
  let trove: RunningTrove;
  let world: World;
  let acme: { id: number; full_path: string };
  let tools: { id: number; path_with_namespace: string };
  let vault: { id: number; path_with_namespace: string };
  let reader: TestUser;
  let groupRegistry: string;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    acme = await world.group('acme');
    const platform = await world.group('platform', acme.id);
    const toolsGroup = await world.group('tools', platform.id);
    assert.equal(toolsGroup.full_path, 'acme/platform/tools');
    tools = await world.project('cli', toolsGroup.id);
    const secrets = await world.group('secrets', acme.id);
    vault = await world.project('vault', secrets.id);

    // The reader belongs to acme/platform only: it may read acme/platform/tools/cli, not acme/secrets/vault.
    reader = await world.user('rita', ['read_api'], 'rita-ci');
    await world.addMember('groups', platform.id, reader, 20);

    const publisher = await world.user('pat', ['api'], 'pat-laptop');
    await world.addMember('groups', acme.id, publisher, 30);
    for (const [project, name] of [[tools, '@acme/cli-kit'], [vault, '@acme/vault-kit']] as const) {
      const client = new NpmClient(`${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/`, publisher.token);
      const result = await client.npm(['publish'], makePackage(name, '1.2.3'));
      assert.equal(result.code, 0, output(result));
    }
    groupRegistry = `${trove.baseUrl}/api/v4/groups/${acme.id}/-/packages/npm/`;
  });

  after(async () => {
    await trove?.stop();
  });

  it('installs a package of a subgroup project with npm and it runs', async () => {
    const client = new NpmClient(groupRegistry, reader.token);
    const consumer = makeConsumer();
    const result = await client.npm(['install', '@acme/cli-kit'], consumer);
    assert.equal(result.code, 0, output(result));
    const run = await requireIn(consumer, '@acme/cli-kit');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '@acme/cli-kit@1.2.3');

    // The tarball came from the project that holds the package.
    const packument = await reader.api.get(`/api/v4/groups/${acme.id}/-/packages/npm/@acme%2fcli-kit`);
    assert.equal(packument.status, 200, packument.text);
    assert.equal(
      packument.body.versions['1.2.3'].dist.tarball,
      `${trove.baseUrl}/api/v4/projects/${tools.id}/packages/npm/@acme/cli-kit/-/cli-kit-1.2.3.tgz`,
    );
  });

  it('npm audit in a project that installed from Trove finds 0 vulnerabilities, on the group and the project registry', async () => {
    // npm POSTs the installed versions, gzip-compressed, to the registry's bulk advisory endpoint;
    // Trove keeps no advisories and answers {} as such a registry does. audit=false in the test
    // .npmrc turns the call off everywhere else, so it is turned on here.
    for (const registry of [groupRegistry, `${trove.baseUrl}/api/v4/projects/${tools.id}/packages/npm/`]) {
      const client = new NpmClient(registry, reader.token);
      const consumer = makeConsumer();
      const installed = await client.npm(['install', '--audit=true', '@acme/cli-kit'], consumer);
      assert.equal(installed.code, 0, output(installed));
      assert.match(installed.stdout, /found 0 vulnerabilities/, output(installed));
      const audit = await client.npm(['audit', '--audit=true', '--json'], consumer);
      assert.equal(audit.code, 0, output(audit));
      const report = JSON.parse(audit.stdout) as { vulnerabilities: object; metadata: { vulnerabilities: { total: number }; dependencies: { total: number } } };
      assert.deepEqual(report.vulnerabilities, {});
      assert.equal(report.metadata.vulnerabilities.total, 0);
      assert.equal(report.metadata.dependencies.total, 1, 'the installed package was audited');
    }
  });

  it('does not serve a package of a project the token cannot read', async () => {
    // The reader does see the group endpoint (a package it may read is served), so the 404s below are about the project.
    const readable = await reader.api.get(`/api/v4/groups/${acme.id}/-/packages/npm/@acme%2Fcli-kit/latest`);
    assert.equal(readable.status, 200, readable.text);
    assert.equal(readable.body.version, '1.2.3');
    for (const spelling of ['@acme%2fvault-kit', '@acme%2Fvault-kit', '@acme%2Fvault-kit/latest']) {
      const res = await reader.api.get(`/api/v4/groups/${acme.id}/-/packages/npm/${spelling}`);
      assert.equal(res.status, 404, `${spelling}: ${res.text}`);
      assert.doesNotMatch(res.text, /1\.2\.3/);
    }
    // The same package is there for someone who may read it: the 404 above is about permissions.
    const visible = await world.root.get(`/api/v4/groups/${acme.id}/-/packages/npm/@acme%2fvault-kit`);
    assert.equal(visible.status, 200, visible.text);

    const client = new NpmClient(groupRegistry, reader.token);
    const result = await client.npm(['install', '@acme/vault-kit'], makeConsumer());
    assert.notEqual(result.code, 0, output(result));
    assert.match(result.stderr, /E404|404/);
  });
});

// One backend: mvn's own protocol; what Maven writes do on each database is checked by the conformance suite, which runs on both.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { basic, privateToken } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { curl, sha256 } from '../support/generic-curl.js';
import {
  buildAndRunConsumer,
  Maven,
  setGreeting,
  versionPath,
  writeConsumerProject,
  writeJarProject,
  type Coordinates,
  type JarProject,
  type MavenResult,
} from '../support/maven.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// The life of a Maven artifact through Debian's real mvn: `mvn deploy` of a jar project and
// `deploy:deploy-file` into a project, `mvn package` of a consumer resolving it through the group
// and the instance endpoint (cold local repository each time) and the compiled consumer run;
// SNAPSHOT builds, a refused and then allowed release redeploy, the 401 challenge mvn needs, and
// the paths and checksums Trove refuses. Each mvn start costs seconds: one deploy serves several
// assertions.

const PUBLISHED = 'package_registry_package_published';
const FILE_ADDED = 'package_registry_package_file_added';
const METADATA_UPDATED = 'package_registry_package_metadata_updated';
const DENIED = 'package_registry_package_publish_denied';
const REPLACED = 'package_registry_package_file_replaced';

const MAVEN_VERSION = '3.8.7';

function succeeded(result: MavenResult): void {
  assert.equal(result.code, 0, `mvn failed:\n${result.stdout}\n${result.stderr}`);
}

describe('Maven through mvn', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let developer: TestUser;
  let releaseBot: { id: number; token: string };
  let deployer: Maven;
  let release: JarProject;
  const greeter: Coordinates = { groupId: 'com.example', artifactId: 'greeter', version: '1.0' };
  const groupEvents = () => `/api/v4/groups/${group.id}/audit_events`;
  const projectMaven = () => `${trove.baseUrl}/api/v4/projects/${project.id}/packages/maven`;
  const groupMaven = () => `${trove.baseUrl}/api/v4/groups/${group.id}/-/packages/maven`;
  const instanceMaven = () => `${trove.baseUrl}/api/v4/packages/maven`;
  const fileUrl = (c: Coordinates, file: string) => `${projectMaven()}/${versionPath(c)}/${file}`;

  /** The file names and sha256 of a version in the project, via the packages API. */
  async function storedFiles(c: Coordinates): Promise<string[]> {
    const name = `${c.groupId.replaceAll('.', '/')}/${c.artifactId}`;
    const packages = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_type=maven&package_name=${encodeURIComponent(name)}&per_page=100`);
    const found = packages.filter((p: any) => p.name === name && p.version === c.version);
    if (found.length === 0) return [];
    const files = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages/${found[0].id}/package_files?per_page=100`);
    return files.map((f: any) => `${f.file_name}=${f.file_sha256}`).sort();
  }

  async function packageCount(): Promise<number> {
    const res = await world.root.get(`/api/v4/projects/${project.id}/packages?per_page=1`);
    return Number(res.headers.get('x-total'));
  }

  /** Every event of this name in the group, oldest first. */
  async function eventsNamed(name: string): Promise<any[]> {
    const events = await world.root.expect(200, 'GET', `${groupEvents()}?event_name=${name}&per_page=100`);
    return [...events].reverse();
  }

  async function getFile(c: Coordinates, file: string, token = developer.token): Promise<Response> {
    return fetch(fileUrl(c, file), { headers: basic(token, 'dana') });
  }

  async function putAsRoot(projectId: number, c: Coordinates, file: string, body: Buffer): Promise<void> {
    const res = await fetch(`${trove.baseUrl}/api/v4/projects/${projectId}/packages/maven/${versionPath(c)}/${file}`, { method: 'PUT', headers: privateToken(trove.rootToken), body: new Uint8Array(body) });
    assert.equal(res.status, 201, `PUT ${file}: ${await res.text()}`);
  }

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    developer = await world.user('dana', ['api'], 'dana-laptop');
    await world.addMember('groups', group.id, developer, 30);
    releaseBot = await world.deployToken('projects', project.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
    deployer = Maven.create({ basic: { username: 'release-bot', token: releaseBot.token } });
    release = writeJarProject(greeter, projectMaven(), 'hello from greeter 1.0');
  });

  after(async () => {
    await trove?.stop();
  });

  it('mvn deploy with a deploy token (Basic): the pom and the jar are stored, published then file_added with sha256, size, who and how', async () => {
    succeeded(await deployer.run(['deploy'], release.dir));
    const local = new Map([
      ['greeter-1.0.jar', readFileSync(release.jar)],
      ['greeter-1.0.pom', readFileSync(join(release.dir, 'pom.xml'))],
    ]);
    const files = await storedFiles(greeter);
    for (const [name, bytes] of local) assert.ok(files.includes(`${name}=${sha256(bytes)}`), `${name} stored: ${files.join(', ')}`);

    const [published] = await eventsNamed(PUBLISHED);
    const added = (await eventsNamed(FILE_ADDED)).filter((e) => e.package.id === published.package.id);
    const written = [published, ...added].map((e) => e.package.files[0].file_name);
    assert.deepEqual(written.filter((f) => local.has(f)).sort(), [...local.keys()].sort(), 'one event for each of the pom and the jar');
    for (const event of [published, ...added]) {
      const file = event.package.files[0];
      const bytes = local.get(file.file_name);
      if (bytes) assert.deepEqual([file.sha256, file.size], [sha256(bytes), bytes.length], file.file_name);
      assert.equal(event.outcome, 'success');
      assert.deepEqual(
        { type: event.actor.type, token_id: event.actor.token_id, token_name: event.actor.token_name },
        { type: 'deploy_token', token_id: releaseBot.id, token_name: 'release-bot' },
      );
      assert.equal(event.via, 'package_client');
      assert.deepEqual(event.client, { name: 'Apache-Maven', version: MAVEN_VERSION });
      assert.deepEqual(event.project, { id: project.id, full_path: 'acme/web-app' });
      assert.deepEqual([event.package.format, event.package.name, event.package.version], ['maven', 'com/example/greeter', '1.0']);
    }
    assert.ok(added.every((e) => e.id > published.id), 'published comes first');

    const served = await getFile(greeter, 'greeter-1.0.jar');
    assert.equal(served.status, 200);
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(local.get('greeter-1.0.jar')!));
    const sha1 = await getFile(greeter, 'greeter-1.0.jar.sha1');
    assert.equal(sha1.status, 200);
    assert.match((await sha1.text()).trim(), /^[0-9a-f]{40}$/);
  });

  it('a consumer resolves the jar through the group endpoint (Basic) and the instance endpoint (Private-Token), and runs', async () => {
    const reader = Maven.create({ basic: { username: 'dana', token: developer.token } });
    const viaGroup = await buildAndRunConsumer(reader, writeConsumerProject(greeter, groupMaven()));
    succeeded(viaGroup.build);
    assert.equal(viaGroup.output.code, 0, viaGroup.output.stderr);
    assert.equal(viaGroup.output.stdout.trim(), 'hello from greeter 1.0');

    // A newer greeter 1.0 in a project dana may not read is invisible to her instance-level read.
    const hidden = await world.project('vault', (await world.group('hidden')).id);
    await putAsRoot(hidden.id, greeter, 'greeter-1.0.pom', readFileSync(join(release.dir, 'pom.xml')));
    await putAsRoot(hidden.id, greeter, 'greeter-1.0.jar', Buffer.from('not the greeter dana may read'));
    const headerReader = Maven.create({ header: 'Private-Token', token: developer.token });
    const viaInstance = await buildAndRunConsumer(headerReader, writeConsumerProject(greeter, instanceMaven()));
    succeeded(viaInstance.build);
    assert.equal(viaInstance.output.stdout.trim(), 'hello from greeter 1.0');
  });

  it('deploy:deploy-file with a CI job token (Job-Token header): audited with the job\'s user and pipeline, via pipeline', async () => {
    const sha = '3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b';
    const job = await world.jobToken(project.id, { pipeline_id: 881, job_id: 4242, ref: 'main', sha, user_id: developer.id });
    const tool: Coordinates = { groupId: 'com.example.tools', artifactId: 'packer', version: '2.0.1' };
    const ci = Maven.create({ header: 'Job-Token', token: job.token });
    succeeded(await ci.deployFile(release.jar, tool, projectMaven()));
    const files = await storedFiles(tool);
    assert.ok(files.includes(`packer-2.0.1.jar=${sha256(readFileSync(release.jar))}`), files.join(', '));
    assert.ok(files.some((f) => f.startsWith('packer-2.0.1.pom=')), 'deploy-file generates and uploads a pom');

    const published = await latestEvent(world.root, groupEvents(), PUBLISHED);
    assert.deepEqual([published.package.name, published.package.version], ['com/example/tools/packer', '2.0.1']);
    const added = (await eventsNamed(FILE_ADDED)).filter((e) => e.package.id === published.package.id);
    assert.ok(added.length >= 1, 'the second file is file_added');
    for (const event of [published, ...added]) {
      assert.equal(event.actor.type, 'job_token');
      assert.equal(event.actor.token_id, job.id);
      assert.equal(event.actor.user_id, developer.id);
      assert.equal(event.via, 'pipeline');
      // With <httpHeaders>, Maven 3.8.7 sends its HTTP library's User-Agent, not its own.
      assert.equal(event.client.name, 'Apache-HttpClient');
      assert.deepEqual(event.pipeline, { id: 881, job_id: 4242, project_path: 'acme/web-app', ref: 'main', sha, url: null });
      const jar = event.package.files[0].file_name === 'packer-2.0.1.jar';
      if (jar) assert.deepEqual([event.package.files[0].sha256, event.package.files[0].size], [sha256(readFileSync(release.jar)), statSync(release.jar).size]);
    }
  });

  it('a SNAPSHOT deployed twice keeps both timestamped builds, the served metadata lists both (build 2 first), metadata_updated is audited and a consumer gets the latest', async () => {
    const snapshot: Coordinates = { ...greeter, version: '1.1-SNAPSHOT' };
    const project1 = writeJarProject(snapshot, projectMaven(), 'snapshot build one');
    succeeded(await deployer.run(['deploy'], project1.dir));
    const metadataUpdatesBefore = (await eventsNamed(METADATA_UPDATED)).length;
    setGreeting(project1, 'snapshot build two');
    succeeded(await deployer.run(['deploy'], project1.dir));

    const files = await storedFiles(snapshot);
    const jars = files.map((f) => f.split('=')[0]).filter((f) => /^greeter-1\.1-\d{8}\.\d{6}-\d+\.jar$/.test(f));
    assert.equal(jars.length, 2, files.join(', '));
    assert.deepEqual(jars.map((f) => /-(\d+)\.jar$/.exec(f)![1]).sort(), ['1', '2']);
    const secondJar = jars.find((f) => f.endsWith('-2.jar'))!;
    const timestamp = /greeter-1\.1-(\d{8}\.\d{6}-2)\.jar/.exec(secondJar)![1];

    // Served: Trove's document from the builds it holds, both listed, the newest first.
    const metadata = await getFile(snapshot, 'maven-metadata.xml');
    assert.equal(metadata.status, 200);
    const xml = await metadata.text();
    assert.match(xml, /<buildNumber>2<\/buildNumber>/);
    const jarValues = [...xml.matchAll(/<extension>jar<\/extension>\s*<value>([^<]+)<\/value>/g)].map((m) => m[1]);
    assert.deepEqual(jarValues, jars.map((f) => f.slice('greeter-'.length, -'.jar'.length)).sort().reverse(), xml);
    assert.equal(jarValues[0], `1.1-${timestamp}`);

    // Stored: the document mvn sent the second time, its replacement audited.
    const updates = await eventsNamed(METADATA_UPDATED);
    assert.equal(updates.length, metadataUpdatesBefore + 1, 'the second deploy rewrote the SNAPSHOT metadata once');
    const update = updates.at(-1);
    assert.deepEqual([update.package.name, update.package.version, update.package.files[0].file_name], ['com/example/greeter', '1.1-SNAPSHOT', 'maven-metadata.xml']);
    assert.ok(files.includes(`maven-metadata.xml=${update.package.files[0].sha256}`), files.join(', '));
    assert.deepEqual([update.actor.token_name, update.client.name], ['release-bot', 'Apache-Maven']);

    const reader = Maven.create({ basic: { username: 'dana', token: developer.token } });
    const consumer = await buildAndRunConsumer(reader, writeConsumerProject(snapshot, groupMaven()));
    succeeded(consumer.build);
    assert.equal(consumer.output.stdout.trim(), 'snapshot build two');
  });

  it('a release redeployed with other bytes fails and changes nothing (publish_denied) until the group allows duplicates (file_replaced)', async () => {
    const firstJar = readFileSync(release.jar);
    const before = await storedFiles(greeter);
    const deniedBefore = (await eventsNamed(DENIED)).length;
    setGreeting(release, 'hello from a rebuilt greeter 1.0');

    const refused = await deployer.run(['deploy'], release.dir);
    assert.notEqual(refused.code, 0, 'mvn deploy of changed release bytes must fail');
    assert.match(refused.stdout + refused.stderr, /400/);
    assert.deepEqual(await storedFiles(greeter), before);
    const served = await getFile(greeter, 'greeter-1.0.jar');
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(firstJar), 'the first bytes are still served');
    const denied = await eventsNamed(DENIED);
    assert.equal(denied.length, deniedBefore + 1);
    assert.deepEqual([denied.at(-1).outcome, denied.at(-1).package.name, denied.at(-1).package.version], ['failure', 'com/example/greeter', '1.0']);
    assert.equal(denied.at(-1).actor.token_name, 'release-bot');

    await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { maven_duplicates_allowed: true });
    succeeded(await deployer.run(['deploy'], release.dir));
    const newJar = readFileSync(release.jar);
    const replaced = await latestEvent(world.root, groupEvents(), REPLACED);
    assert.deepEqual([replaced.package.name, replaced.package.version, replaced.package.files[0].file_name], ['com/example/greeter', '1.0', 'greeter-1.0.jar']);
    assert.equal(replaced.package.files[0].sha256, sha256(newJar));
    const now = await getFile(greeter, 'greeter-1.0.jar');
    assert.ok(Buffer.from(await now.arrayBuffer()).equals(newJar));
  });

  it('answers an anonymous read of a private project\'s pom with 401 and a Basic challenge', async () => {
    const anonymous = await fetch(fileUrl(greeter, 'greeter-1.0.pom'));
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic\b/i);
    const signedIn = await getFile(greeter, 'greeter-1.0.pom');
    assert.equal(signedIn.status, 200);
  });

  it('refuses traversal, bad coordinates and a checksum that does not match with 400, and stores nothing', async () => {
    const before = await storedFiles(greeter);
    const packagesBefore = await packageCount();
    const dir = tempDir('trove-mvn-bad-');
    const body = join(dir, 'body');
    writeFileSync(body, 'not a jar');
    const auth = ['-u', `dana:${developer.token}`];
    const put = (path: string) => curl(['--path-as-is', ...auth, '--upload-file', body, `${projectMaven()}/${path}`]);
    for (const path of [
      'com/example/greeter/1.0/../1.0/greeter-1.0.jar',
      'com/example/greeter/%2e%2e/greeter/1.0/greeter-1.0.jar',
      'com/example/greeter/1.0/%2e%2e%2fgreeter-1.0.jar',
      'com/ex%20ample/greeter/1.0/greeter-1.0.jar',
      'com/exa$mple/greeter/1.0/greeter-1.0.jar',
      'com/example/gree*ter/1.0/gree*ter-1.0.jar',
      'com/example/greeter/1..0/greeter-1..0.jar',
      'com/example/greeter/1.0%3B/greeter-1.0%3B.jar',
      // A SNAPSHOT's metadata before any of its files would publish an empty version.
      'com/example/greeter/9.9-SNAPSHOT/maven-metadata.xml',
    ]) {
      const res = await put(path);
      assert.equal(res.status, 400, `${path}: ${res.status} ${res.body}`);
    }
    writeFileSync(body, '0000000000000000000000000000000000000000');
    const mismatch = await put('com/example/greeter/1.0/greeter-1.0.jar.sha1');
    assert.equal(mismatch.status, 400, mismatch.body);
    const served = await getFile(greeter, 'greeter-1.0.jar.sha1');
    assert.notEqual((await served.text()).trim(), '0000000000000000000000000000000000000000');
    assert.deepEqual(await storedFiles(greeter), before);
    assert.equal(await packageCount(), packagesBefore);
  });

  it('group and instance reads serve the version a readable project published last, and list no version of a project the caller may not read', async () => {
    const tools = await world.project('tools', (await world.group('platform', group.id)).id);
    await putAsRoot(tools.id, greeter, 'greeter-1.0.jar', Buffer.from('greeter 1.0 as tools published it'));
    const read = async (base: string) => {
      const res = await fetch(`${base}/${versionPath(greeter)}/greeter-1.0.jar`, { headers: basic(developer.token, 'dana') });
      return `${res.status} ${await res.text()}`;
    };
    assert.equal(await read(groupMaven()), '200 greeter 1.0 as tools published it');
    assert.equal(await read(instanceMaven()), '200 greeter 1.0 as tools published it');
    const locked = await world.project('box', (await world.group('locked')).id);
    await putAsRoot(locked.id, { ...greeter, version: '9.9' }, 'greeter-9.9.jar', Buffer.from('9.9'));
    const versions = async (token: string) => {
      const res = await fetch(`${instanceMaven()}/com/example/greeter/maven-metadata.xml`, { headers: basic(token, 'someone') });
      return [...(await res.text()).matchAll(/<version>([^<]+)<\/version>/g)].map((m) => m[1]);
    };
    assert.ok((await versions(trove.rootToken)).includes('9.9'));
    const visible = await versions(developer.token);
    assert.ok(visible.includes('1.0') && !visible.includes('9.9'), visible.join(', '));
    // The project level still serves its own file.
    const own = await getFile(greeter, 'greeter-1.0.jar');
    assert.ok(Buffer.from(await own.arrayBuffer()).equals(readFileSync(release.jar)));
  });
});

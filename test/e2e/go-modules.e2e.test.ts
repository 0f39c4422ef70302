// One backend: go's own protocol over HTTPS; what Go uploads do on each database is checked by the conformance suite, which runs on both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventCount, latestEvent } from '../support/audit.js';
import { curl, curlVersion, registryState, sha256 } from '../support/generic-curl.js';
import { escapeGoPath, GoClient, goModuleVersion, goProxyUrl, publishGoVersion, uploadGoFile, zipOf } from '../support/go-client.js';
import { selfSignedCertificate, type TestCertificate } from '../support/tls.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Go modules with the real go command: a module published by uploading its .info, .mod and .zip
// with curl, then resolved, downloaded and built by a consumer through GOPROXY. go sends
// credentials only over HTTPS, so this Trove serves HTTPS (TROVE_TLS_CERT/KEY) with a
// self-signed certificate go is told to trust (SSL_CERT_FILE).

const DENIED = 'package_registry_package_publish_denied';
// An uppercase letter, so that go's "!" case encoding is exercised both ways.
const MODULE = 'example.com/Gophers/greeter';

const greeter = (version: string) => ({
  'greeter.go': `package greeter\n\n// Hello says which version answered.\nfunc Hello() string { return "hello from greeter ${version}" }\n`,
});

describe('Go modules with the go command over HTTPS', () => {
  let trove: RunningTrove;
  let world: World;
  let cert: TestCertificate;
  let project: { id: number };
  let gina: TestUser;
  let proxy: string;
  const events = () => `/api/v4/projects/${project.id}/audit_events`;
  const store = () => registryState(world.root, project.id, trove.dataDir);

  before(async () => {
    cert = selfSignedCertificate(tempDir('trove-go-tls-'));
    trove = await startTrove({ tls: cert });
    world = new World(trove);
    const group = await world.group('gophers');
    project = await world.project('modules', group.id);
    gina = await world.user('gina', ['api'], 'gina-laptop');
    await world.addMember('groups', group.id, gina, 30);
    await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { package_download_events: 'enabled' });
    proxy = goProxyUrl(trove.baseUrl, project.id);
  });

  after(async () => {
    await trove?.stop();
  });

  it('publishes v1.0.0 and v1.1.0 with curl over HTTPS, every file audited with who and how', async () => {
    for (const version of ['v1.0.0', 'v1.1.0']) {
      const files = await goModuleVersion(MODULE, version, greeter(version));
      const results = await publishGoVersion(proxy, gina.token, files, ['--cacert', cert.cert]);
      for (const result of results) assert.deepEqual([result.code, result.status, result.json], [0, 201, { message: '201 Created' }], result.body + result.stderr);
      assert.equal(results.length, 3);
    }
    const published = await latestEvent(world.root, events(), 'package_registry_package_published');
    assert.deepEqual([published.actor.type, published.actor.username, published.actor.token_name], ['personal_access_token', 'gina', 'gina-laptop']);
    assert.equal(published.via, 'api');
    assert.deepEqual(published.client, { name: 'curl', version: await curlVersion() });
    const mod = Buffer.from(`module ${MODULE}\n\ngo 1.19\n`);
    assert.deepEqual(published.package, { id: published.package.id, format: 'go', name: MODULE, version: 'v1.1.0', files: [{ file_name: 'v1.1.0.mod', size: mod.length, sha256: sha256(mod) }] });
    const added = await latestEvent(world.root, events(), 'package_registry_package_file_added');
    assert.deepEqual([added.package.version, added.package.files[0].file_name, added.actor.token_name], ['v1.1.0', 'v1.1.0.zip', 'gina-laptop']);
    assert.equal(await eventCount(world.root, events(), '&event_name=package_registry_package_file_added'), 4);
  });

  it('go lists, downloads and builds against the module with a token over HTTPS; downloads are audited with go as the client', async () => {
    const go = new GoClient(goProxyUrl(trove.baseUrl, project.id, gina.token), cert.cert);
    const consumer = go.consumer('example.com/app', {
      'main.go': `package main\n\nimport (\n\t"fmt"\n\n\t"${MODULE}"\n)\n\nfunc main() { fmt.Println(greeter.Hello()) }\n`,
    });
    const versions = await go.run(['list', '-m', '-versions', MODULE], consumer);
    assert.equal(versions.code, 0, versions.stderr);
    assert.equal(versions.stdout.trim(), `${MODULE} v1.0.0 v1.1.0`);

    const get = await go.run(['get', `${MODULE}@v1.0.0`], consumer);
    assert.equal(get.code, 0, get.stderr);
    const run = await go.run(['run', '.'], consumer);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hello from greeter v1.0.0\n');

    // @latest resolution (go get without a version) picks v1.1.0; go mod download fetches its zip.
    const upgrade = await go.run(['get', MODULE], consumer);
    assert.equal(upgrade.code, 0, upgrade.stderr);
    const download = await go.run(['mod', 'download', '-json', MODULE], consumer);
    assert.equal(download.code, 0, download.stderr);
    assert.equal(JSON.parse(download.stdout).Version, 'v1.1.0');
    assert.equal((await go.run(['run', '.'], consumer)).stdout, 'hello from greeter v1.1.0\n');

    const deadline = Date.now() + 15_000;
    let downloaded: any;
    while (!downloaded && Date.now() < deadline) {
      downloaded = (await world.root.get(`${events()}?event_name=package_registry_package_downloaded&per_page=100`)).body.find((e: any) => e.package.files[0]?.file_name === 'v1.1.0.zip');
      if (!downloaded) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(downloaded, 'the zip download is audited');
    assert.deepEqual([downloaded.actor.token_name, downloaded.via, downloaded.client?.name], ['gina-laptop', 'package_client', 'Go-http-client']);
  });

  it('answers go\'s probes of parent paths and unknown modules with 404, and the anonymous with 401', async () => {
    const auth = ['--cacert', cert.cert, '-H', `PRIVATE-TOKEN: ${gina.token}`];
    for (const path of ['example.com/@v/list', 'example.com/!gophers/@v/list', `${escapeGoPath(MODULE)}/@v/v9.9.9.info`, 'example.com/Gophers/greeter/@v/list', `${escapeGoPath(MODULE)}/@v/1.0.0.mod`]) {
      assert.equal((await curl([...auth, `${proxy}/${path}`])).status, 404, path);
    }
    const list = await curl([...auth, '-D', '-', `${proxy}/${escapeGoPath(MODULE)}/@v/list`]);
    assert.match(list.body, /content-type: text\/plain; charset=utf-8/i);
    assert.match(list.body, /\r\n\r\nv1\.0\.0\nv1\.1\.0\n$/);
    const info = await curl([...auth, '-D', '-', `${proxy}/${escapeGoPath(MODULE)}/@v/v1.0.0.info`]);
    assert.match(info.body, /content-type: application\/json/i);
    assert.equal((await curl(['--cacert', cert.cert, `${proxy}/${escapeGoPath(MODULE)}/@v/list`])).status, 401);
  });

  it('shows go a version only once its three files are there, and never replaces a stored file', async () => {
    const auth = ['--cacert', cert.cert, '-H', `PRIVATE-TOKEN: ${gina.token}`];
    const listed = async () => (await curl([...auth, `${proxy}/${escapeGoPath(MODULE)}/@v/list`])).body;
    const v130 = await goModuleVersion(MODULE, 'v1.3.0', greeter('v1.3.0'));
    assert.equal((await uploadGoFile(proxy, gina.token, MODULE, 'v1.3.0', 'mod', v130.mod, ['--cacert', cert.cert])).status, 201);
    assert.equal(await listed(), 'v1.0.0\nv1.1.0\n');
    assert.equal((await curl([...auth, `${proxy}/${escapeGoPath(MODULE)}/@latest`])).json.Version, 'v1.1.0');

    const before = await store();
    const again = await uploadGoFile(proxy, gina.token, MODULE, 'v1.0.0', 'zip', v130.zip, ['--cacert', cert.cert]);
    assert.equal(again.status, 403, again.body);
    assert.match(again.json.message, /v1\.0\.0\.zip of example\.com\/Gophers\/greeter already exists/);
    assert.deepEqual(await store(), before);
    assert.equal((await latestEvent(world.root, events(), DENIED)).package.version, 'v1.0.0');
  });

  describe('refusals: audited, nothing stored', () => {
    async function assertRefused(kind: 'info' | 'mod' | 'zip', version: string, bytes: Buffer, message: RegExp, status = 400, curlArgs: string[] = []) {
      const before = await store();
      const denials = await eventCount(world.root, events(), `&event_name=${DENIED}`);
      const result = await uploadGoFile(proxy, gina.token, MODULE, version, kind, bytes, ['--cacert', cert.cert, ...curlArgs]);
      assert.equal(result.status, status, result.body);
      assert.match(result.json.message, message);
      assert.deepEqual(await store(), before);
      assert.equal(await eventCount(world.root, events(), `&event_name=${DENIED}`), denials + 1);
      const denied = await latestEvent(world.root, events(), DENIED);
      assert.deepEqual([denied.outcome, denied.actor.token_name, denied.package?.name], ['failure', 'gina-laptop', MODULE]);
    }

    it('a zip with an entry that climbs out of <module>@<version>/', async () => {
      // yazl will not write "..": the name is written with "@@" and patched to ".." (same length).
      const zip = await zipOf({ [`${MODULE}@v1.2.0/go.mod`]: `module ${MODULE}\n`, [`${MODULE}@v1.2.0/@@/@@/evil.go`]: 'package evil' });
      for (let at = zip.indexOf('@@/'); at >= 0; at = zip.indexOf('@@/', at)) zip.write('..', at);
      await assertRefused('zip', 'v1.2.0', zip, /\.zip is invalid/);
    });

    it('a go.mod whose module line names another module', async () => {
      await assertRefused('mod', 'v1.2.0', Buffer.from('module example.com/someone/else\n'), /names example\.com\/someone\/else, not example\.com\/Gophers\/greeter/);
    });

    it('an .info over its limit sent without Content-Length (chunked): 413, as when Content-Length declares it', async () => {
      await assertRefused('info', 'v1.2.0', Buffer.alloc(65 * 1024, 0x20), /larger than the limit of 65536 bytes/, 413, ['-H', 'Transfer-Encoding: chunked']);
    });

    it('a version that is not a canonical semantic version with its v', async () => {
      await assertRefused('mod', '1.2.0', Buffer.from(`module ${MODULE}\n`), /version is invalid/);
    });
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventCount, latestEvent } from '../support/audit.js';
import { abortedUpload, blobFiles, curl, curlVersion, registryState, rssDuring, sha256, sha256File, tmpBlobFiles, uploadBeforeReading } from '../support/generic-curl.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { blobsCollected, fastBlobGc } from '../support/background-jobs.js';
import { World, type TestUser } from '../support/world.js';

// The generic package format driven by the real curl binary, as CI jobs and release scripts
// use it: upload, download, who/how/what in the audit trail, refusals that change nothing,
// and uploads that stream (size limit while streaming, aborted uploads, memory).

const DENIED = 'package_registry_package_publish_denied';

describe('generic packages with curl', () => {
  let trove: RunningTrove;
  let world: World;
  let project: { id: number; path_with_namespace: string };
  let dana: TestUser;
  let curlVer: string;
  const files = tempDir('trove-generic-files-');
  const auth = (token: string) => ['-H', `PRIVATE-TOKEN: ${token}`];
  const url = (name: string, version: string, file: string, query = '') =>
    `${trove.baseUrl}/api/v4/projects/${project.id}/packages/generic/${name}/${version}/${file}${query}`;
  const events = () => `/api/v4/projects/${project.id}/audit_events`;
  const denials = () => eventCount(world.root, events(), `&event_name=${DENIED}`);
  const fixture = (name: string, size: number) => {
    const path = join(files, name);
    writeFileSync(path, randomBytes(size));
    return path;
  };
  const store = () => registryState(world.root, project.id, trove.dataDir);

  before(async () => {
    trove = await startTrove({ env: fastBlobGc() });
    world = new World(trove);
    const group = await world.group('acme');
    project = await world.project('web-app', group.id);
    dana = await world.user('dana', ['api'], 'dana-laptop');
    await world.addMember('groups', group.id, dana, 30);
    curlVer = await curlVersion();
  });

  after(async () => {
    await trove?.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it('uploads with PRIVATE-TOKEN, downloads the same bytes, and records who, how and what', async () => {
    const file = fixture('tool-linux-amd64', 300_000);
    const up = await curl(['--fail-with-body', ...auth(dana.token), '--upload-file', file, url('tool', '1.0.0', 'tool-linux-amd64')]);
    assert.equal(up.code, 0, up.body + up.stderr);
    assert.equal(up.status, 201);
    assert.deepEqual(up.json, { message: '201 Created' });

    const out = join(files, 'downloaded');
    const down = await curl(['--fail', ...auth(dana.token), '-D', `${out}.headers`, '-o', out, url('tool', '1.0.0', 'tool-linux-amd64')]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(out).equals(readFileSync(file)), 'the download is byte-identical');
    const headers = readFileSync(`${out}.headers`, 'utf8').toLowerCase();
    const digest = sha256(readFileSync(file));
    assert.match(headers, /content-type: application\/octet-stream/);
    assert.match(headers, /content-length: 300000/);
    assert.match(headers, /content-disposition: attachment; filename="tool-linux-amd64"/);
    assert.ok(headers.includes(`etag: "${digest}"`), headers);

    const event = await latestEvent(world.root, events(), 'package_registry_package_published');
    assert.equal(event.outcome, 'success');
    assert.deepEqual([event.actor.type, event.actor.username, event.actor.token_name], ['personal_access_token', 'dana', 'dana-laptop']);
    assert.equal(event.via, 'api');
    assert.deepEqual(event.client, { name: 'curl', version: curlVer });
    assert.deepEqual(event.package, {
      id: event.package.id, format: 'generic', name: 'tool', version: '1.0.0',
      files: [{ file_name: 'tool-linux-amd64', size: 300_000, sha256: digest }],
    });
  });

  it('adds a second file to the same version as file_added', async () => {
    const file = fixture('tool-darwin-arm64', 1234);
    const up = await curl(['--fail-with-body', ...auth(dana.token), '--upload-file', file, url('tool', '1.0.0', 'tool-darwin-arm64', '?select=package_file')]);
    assert.equal(up.code, 0, up.body);
    assert.deepEqual([up.json.file_name, up.json.size, up.json.file_sha256], ['tool-darwin-arm64', 1234, sha256(readFileSync(file))]);
    const event = await latestEvent(world.root, events(), 'package_registry_package_file_added');
    assert.deepEqual([event.package.name, event.package.version, event.package.files.map((f: any) => f.file_name)], ['tool', '1.0.0', ['tool-darwin-arm64']]);
    assert.equal(event.actor.token_name, 'dana-laptop');
    assert.equal((await store()).packages.filter((p) => p.startsWith('tool@')).length, 1, 'still one version');
  });

  it('refuses a file name that already exists in the version (403) and audits the refusal', async () => {
    const before = await store();
    const deniedBefore = await denials();
    const up = await curl(['--fail-with-body', ...auth(dana.token), '--upload-file', fixture('other-bytes', 999), url('tool', '1.0.0', 'tool-linux-amd64')]);
    assert.equal(up.code, 22);
    assert.equal(up.status, 403);
    assert.deepEqual(up.json, { message: 'Duplicate package file is not allowed' });
    assert.deepEqual(await store(), before, 'the stored file is untouched');
    assert.equal(await denials(), deniedBefore + 1);
    const event = await latestEvent(world.root, events(), DENIED);
    assert.deepEqual([event.outcome, event.reason, event.package.name, event.package.version], ['failure', 'Duplicate package file is not allowed', 'tool', '1.0.0']);
  });

  it('lets a read-only deploy token download but not upload (403, audited)', async () => {
    const reader = await world.deployToken('projects', project.id, 'mirror-bot', ['read_package_registry']);
    const down = await curl(['--fail', '-H', `Deploy-Token: ${reader.token}`, '-o', join(files, 'via-deploy'), url('tool', '1.0.0', 'tool-darwin-arm64')]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(join(files, 'via-deploy')).equals(readFileSync(join(files, 'tool-darwin-arm64'))));
    const before = await store();
    const up = await curl(['--fail-with-body', '-H', `Deploy-Token: ${reader.token}`, '--upload-file', fixture('x', 10), url('tool', '2.0.0', 'x')]);
    assert.equal(up.status, 403, up.body);
    assert.deepEqual(await store(), before);
    const event = await latestEvent(world.root, events(), DENIED);
    assert.deepEqual([event.actor.type, event.actor.token_name, event.package.version], ['deploy_token', 'mirror-bot', '2.0.0']);
  });

  it('records the pipeline and via=pipeline for a CI job token upload', async () => {
    const job = await world.jobToken(project.id, {
      pipeline_id: 881, job_id: 4242, ref: 'main', sha: '3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b',
      pipeline_url: 'https://ci.example.test/acme/web-app/-/pipelines/881', user_id: dana.id,
    });
    const up = await curl(['--fail-with-body', '-H', `JOB-TOKEN: ${job.token}`, '--upload-file', fixture('report.html', 500), url('reports', '881', 'report.html')]);
    assert.equal(up.status, 201, up.body);
    const event = await latestEvent(world.root, events(), 'package_registry_package_published');
    assert.deepEqual([event.package.name, event.actor.type, event.actor.token_id, event.via], ['reports', 'job_token', job.id, 'pipeline']);
    assert.deepEqual(event.pipeline, {
      id: 881, job_id: 4242, project_path: 'acme/web-app', ref: 'main',
      sha: '3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b', url: 'https://ci.example.test/acme/web-app/-/pipelines/881',
    });
  });

  it('works with curl -u user:TOKEN (Basic), also when curl first tries without credentials', async () => {
    const file = fixture('basic.tar.gz', 4096);
    const up = await curl(['--fail-with-body', '-u', `dana:${dana.token}`, '--upload-file', file, url('basic-pkg', '0.1.0', 'basic.tar.gz')]);
    assert.equal(up.status, 201, up.body);
    const out = join(files, 'basic-out');
    const down = await curl(['--fail', '--anyauth', '-u', `anyone:${dana.token}`, '-o', out, `${trove.baseUrl}/api/v4/projects/acme%2Fweb-app/packages/generic/basic-pkg/0.1.0/basic.tar.gz`]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(out).equals(readFileSync(file)));
    const event = await latestEvent(world.root, events(), 'package_registry_package_published');
    assert.deepEqual([event.package.name, event.actor.token_name, event.client.name], ['basic-pkg', 'dana-laptop', 'curl']);
  });

  it('answers anonymous callers of a private project 401 with WWW-Authenticate, auditing no denial', async () => {
    const deniedBefore = await denials();
    for (const method of ['GET', 'PUT']) {
      const res = await fetch(url('tool', '1.0.0', 'tool-linux-amd64'), { method, body: method === 'PUT' ? 'x' : undefined });
      assert.equal(res.status, 401, method);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
    }
    assert.equal(await denials(), deniedBefore);
    const missing = await curl([...auth(dana.token), url('tool', '1.0.0', 'no-such-file')]);
    assert.deepEqual([missing.status, missing.json], [404, { message: '404 Package file Not Found' }]);
  });

  it('keeps hidden versions downloadable and audits a status change of an existing version', async () => {
    const hidden = await curl(['--fail-with-body', ...auth(dana.token), '--upload-file', fixture('nightly.zip', 100), url('nightly', '2026.11.26', 'nightly.zip', '?status=hidden')]);
    assert.equal(hidden.status, 201, hidden.body);
    assert.ok((await store()).packages.some((p) => p.startsWith('nightly@2026.11.26(hidden)')));
    const down = await curl(['--fail', ...auth(dana.token), '-o', join(files, 'n'), url('nightly', '2026.11.26', 'nightly.zip')]);
    assert.equal(down.code, 0, down.stderr);
    const more = await curl(['--fail-with-body', ...auth(dana.token), '--upload-file', fixture('notes.txt', 10), url('nightly', '2026.11.26', 'notes.txt', '?status=default')]);
    assert.equal(more.status, 201, more.body);
    const event = await latestEvent(world.root, events(), 'package_registry_package_metadata_updated');
    assert.deepEqual(event.changes, { status: { from: 'hidden', to: 'default' } });
    assert.ok((await store()).packages.some((p) => p.startsWith('nightly@2026.11.26(default)')));
  });

  it('accepts names, versions and file names that GitLab accepts', async () => {
    const cases = [
      ['my_pkg-1.0.x', '1.2.3-rc.1+build_5', 'helloworld_1.2.3~rc1+dfsg-1_amd64.deb'],
      ['Tool.CLI', 'v1.0', 'CHANGES'],
      ['x', 'd50d836eb3de6177ce6c7a5482f27f9c2c84b672', '.env.example'],
    ];
    for (const [name, version, file] of cases) {
      const up = await curl(['--fail-with-body', ...auth(dana.token), '--upload-file', fixture('ok', 3), url(name, version, file)]);
      assert.equal(up.status, 201, `${name}/${version}/${file}: ${up.body}`);
    }
  });

  it('refuses bad names with 400 and GitLab’s message, changes nothing and audits each refusal', async () => {
    const cases: [string, string, string, string][] = [
      ['..', '1.0.0', 'a.bin', 'package_name is invalid'],
      ['...', '1.0.0', 'a.bin', 'package_name is invalid'],
      ['a..b', '1.0.0', 'a.bin', 'package_name is invalid'],
      ['a%2Fb', '1.0.0', 'a.bin', 'package_name is invalid'],
      ['a%5Cb', '1.0.0', 'a.bin', 'package_name is invalid'],
      ['a%00b', '1.0.0', 'a.bin', 'package_name is invalid'],
      ['a%0Ab', '1.0.0', 'a.bin', 'package_name is invalid'],
      ['a+b', '1.0.0', 'a.bin', 'package_name is invalid'],
      ['caf%C3%A9', '1.0.0', 'a.bin', 'package_name is invalid'],
      ['n'.repeat(256), '1.0.0', 'a.bin', 'package_name is invalid'],
      ['tool', '1..0', 'a.bin', 'package_version is invalid'],
      ['tool', '1.0%2F..%2F2', 'a.bin', 'package_version is invalid'],
      ['tool', '1.0%20beta', 'a.bin', 'package_version is invalid'],
      ['tool', '1.0%00', 'a.bin', 'package_version is invalid'],
      ['tool', '1.0.0', '..', 'file_name is invalid'],
      ['tool', '1.0.0', '.', 'file_name is invalid'],
      ['tool', '1.0.0', '..%2F..%2Fetc%2Fpasswd', 'file_name is invalid'],
      ['tool', '1.0.0', 'a%5Cb.bin', 'file_name is invalid'],
      ['tool', '1.0.0', 'a%00.bin', 'file_name is invalid'],
      ['tool', '1.0.0', 'a%1F.bin', 'file_name is invalid'],
      ['tool', '1.0.0', 'a..bin', 'file_name is invalid'],
      ['tool', '1.0.0', 'a%20b.bin', 'file_name is invalid'],
      ['tool', '1.0.0', 'new.bin?status=broken', 'status does not have a valid value'],
      ['tool', '1.0.0', 'new.bin?select=everything', 'select does not have a valid value'],
    ];
    const file = fixture('bad-input', 64);
    const before = await store();
    for (const [name, version, fileName, message] of cases) {
      const deniedBefore = await denials();
      // -X PUT --data-binary, not --upload-file: curl -T resolves a trailing "." or ".." and appends
      // the local file name. It also labels the body as a form, which must not be parsed either.
      const res = await curl(['--path-as-is', ...auth(dana.token), '-X', 'PUT', '--data-binary', `@${file}`, url(name, version, fileName)]);
      const label = `${name}/${version}/${fileName}`;
      assert.deepEqual([res.status, res.json], [400, { message }], `${label}: ${res.body}`);
      assert.equal(await denials(), deniedBefore + 1, `${label} is audited`);
      assert.equal((await latestEvent(world.root, events(), DENIED)).reason, message);
    }
    assert.deepEqual(await store(), before, 'no refused upload stored anything');
    // A NUL in the name is kept visible in the record (PostgreSQL text cannot hold it).
    const nul = await world.root.get(`${events()}?event_name=${DENIED}&package_name=${encodeURIComponent('a\\u0000b')}`);
    assert.equal(nul.body.length, 1, nul.text);
    // A real NUL in a filter is refused on both backends (PostgreSQL text cannot hold one).
    for (const filter of ['package_name', 'author_username', 'event_name']) {
      const refused = await world.root.get(`${events()}?${filter}=a%00b`);
      assert.deepEqual([refused.status, refused.body.message], [400, `${filter} is invalid: it contains a NUL character`]);
    }
  });

  it('leaves nothing behind when the upload breaks off before Content-Length bytes', async () => {
    const before = await store();
    const path = `/api/v4/projects/${project.id}/packages/generic/broken/1.0.0/half.bin`;
    await abortedUpload(trove.port, path, { 'PRIVATE-TOKEN': dana.token }, 1_000_000, 100_000, () => tmpBlobFiles(trove.dataDir).length > 0);
    const deadline = Date.now() + 5000;
    while ((await latestEvent(world.root, events(), DENIED)).package?.name !== 'broken') {
      assert.ok(Date.now() < deadline, 'the broken-off upload is audited as refused');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match((await latestEvent(world.root, events(), DENIED)).reason, /^Upload incomplete/);
    assert.deepEqual(await store(), before, 'no package, no file, no blob');
    assert.deepEqual(tmpBlobFiles(trove.dataDir), []);
    const published = await latestEvent(world.root, events(), 'package_registry_package_published');
    assert.notEqual(published.package.name, 'broken');
  });

  it('streams a 50 MB upload without holding it in memory', async () => {
    const file = join(files, 'big.bin');
    for (let i = 0; i < 50; i++) appendFileSync(file, randomBytes(1024 * 1024));
    const pid = trove.process.pid!;
    const { result: upload, baseline, peak } = await rssDuring(pid, () => curl(['--fail-with-body', ...auth(dana.token), '--upload-file', file, url('big', '1.0.0', 'big.bin')]));
    assert.equal(upload.status, 201, upload.body);
    const growth = peak - baseline;
    assert.ok(growth < 40 * 1024 * 1024, `server RSS grew by ${Math.round(growth / 1048576)} MB during a 50 MB upload`);
    const out = join(files, 'big.out');
    assert.equal((await curl(['--fail', ...auth(dana.token), '-o', out, url('big', '1.0.0', 'big.bin')])).code, 0);
    assert.equal(await sha256File(out), await sha256File(file));
  });

  it('lists generic packages with published_by and audits their deletion', async () => {
    const list = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_type=generic&package_name=tool&per_page=100`);
    const tool = list.find((p: any) => p.name === 'tool' && p.version === '1.0.0');
    assert.ok(tool, JSON.stringify(list));
    assert.equal(tool.package_type, 'generic');
    assert.deepEqual([tool.published_by.actor.token_name, tool.published_by.via, tool.published_by.client?.name], ['dana-laptop', 'api', 'curl']);
    const digest = sha256(readFileSync(join(files, 'tool-linux-amd64')));
    assert.ok(blobFiles(trove.dataDir).some((f) => f.endsWith(digest)));
    await world.root.expect(204, 'DELETE', `/api/v4/projects/${project.id}/packages/${tool.id}`);
    const event = await latestEvent(world.root, events(), 'package_registry_package_deleted');
    assert.deepEqual([event.package.format, event.package.name, event.package.files.length], ['generic', 'tool', 2]);
    const gone = await curl([...auth(dana.token), url('tool', '1.0.0', 'tool-linux-amd64')]);
    assert.equal(gone.status, 404);
    await blobsCollected(world.root);
    assert.ok(!blobFiles(trove.dataDir).some((f) => f.endsWith(digest)), 'the collector removed the blob');
  });
});

describe('generic upload size limit (TROVE_GENERIC_MAX_UPLOAD_BYTES)', () => {
  let trove: RunningTrove;
  let world: World;
  let projectId: number;
  const files = tempDir('trove-generic-limit-');

  before(async () => {
    trove = await startTrove({ env: { TROVE_GENERIC_MAX_UPLOAD_BYTES: '100000' } });
    world = new World(trove);
    projectId = (await world.project('limited', (await world.group('acme')).id)).id;
  });

  after(async () => {
    await trove?.stop();
    rmSync(files, { recursive: true, force: true });
  });

  const upload = (size: number, extra: string[] = []) => {
    const file = join(files, `f${size}`);
    writeFileSync(file, randomBytes(size));
    const target = `${trove.baseUrl}/api/v4/projects/${projectId}/packages/generic/capped/1.0.0/f${size}`;
    return curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${trove.rootToken}`, ...extra, '--upload-file', file, target]);
  };

  for (const [label, extra] of [['declared by Content-Length', []], ['found while streaming a chunked body', ['-H', 'Transfer-Encoding: chunked']]] as const) {
    it(`answers 413 for a 200 kB upload ${label} and stores nothing`, async () => {
      const res = await upload(200_000, [...extra]);
      assert.equal(res.status, 413, res.body + res.stderr);
      assert.match(res.json.message, /too large|larger than the limit/);
      assert.deepEqual(await world.root.expect(200, 'GET', `/api/v4/projects/${projectId}/packages`), []);
      assert.deepEqual(blobFiles(trove.dataDir), []);
      const event = await latestEvent(world.root, `/api/v4/projects/${projectId}/audit_events`, DENIED);
      assert.deepEqual([event.package.name, event.reason], ['capped', res.json.message]);
    });
  }

  it('drains the rest of a refused body, so a client that sends everything before reading gets its 413', async () => {
    const path = `/api/v4/projects/${projectId}/packages/generic/capped/1.0.0/eager.bin`;
    assert.equal(await uploadBeforeReading(trove.port, path, { 'PRIVATE-TOKEN': trove.rootToken }, 20), 'HTTP/1.1 413 Payload Too Large');
    assert.deepEqual(blobFiles(trove.dataDir), []);
  });

  it('accepts a file of exactly the limit', async () => {
    const res = await upload(100_000, ['-H', 'Transfer-Encoding: chunked']);
    assert.equal(res.status, 201, res.body);
  });
});

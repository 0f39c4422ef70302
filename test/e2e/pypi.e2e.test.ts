// One backend: the clients' own protocol (build, twine, pip); what PyPI writes do on each database is checked by pypi-refusals and the conformance suite.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, basic } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { buildProject, indexUrl, run, sha256File, TWINE, twineUpload, Venv, type BuiltProject } from '../support/python-client.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// The life of a Python package through the real clients: python -m build, twine upload, pip
// install / download from the project and group simple indexes; the audit API after each write;
// the PEP 503 / 691 / 700 index documents themselves.

const PUBLISHED = 'package_registry_package_published';
const FILE_ADDED = 'package_registry_package_file_added';

/** The files twine reported uploading, in order ("Uploading <file>"). */
function uploadedOrder(output: string): string[] {
  return [...output.matchAll(/^Uploading (\S+\.(?:whl|tar\.gz))\s*$/gm)].map((m) => m[1]);
}

/** A Requires-Python value as a sorted list of its specifiers. */
function specifiers(value: string): string[] {
  return value.split(',').map((s) => s.trim()).sort();
}

/** `dist/*` as a shell expands it (byte order). */
function distGlob(project: BuiltProject): string[] {
  const dist = join(project.dir, 'dist');
  return readdirSync(dist).sort().map((f) => join(dist, f));
}

describe('PyPI through twine and pip', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let developer: TestUser;
  let releaseBot: { id: number; token: string };
  let reader: { id: number; token: string };
  let hello: BuiltProject;
  let twineVersion: string;
  const groupEvents = () => `/api/v4/groups/${group.id}/audit_events`;
  const projectPypi = () => `${trove.baseUrl}/api/v4/projects/${project.id}/packages/pypi`;
  const simplePath = () => `/api/v4/projects/${project.id}/packages/pypi/simple/`;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    developer = await world.user('dana', ['api'], 'dana-laptop');
    await world.addMember('groups', group.id, developer, 30);
    releaseBot = await world.deployToken('projects', project.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
    reader = await world.deployToken('projects', project.id, 'reader', ['read_package_registry']);
    // A non-normalised distribution name, and a Requires-Python that needs HTML escaping.
    hello = await buildProject({ name: 'Probe.Hello', version: '0.1.0', module: 'probe_hello', requiresPython: '>=3.7,<4' });
    const version = await run(TWINE, ['--version'], { cwd: hello.dir, env: process.env });
    twineVersion = /twine version (\S+)/.exec(version.stdout)?.[1] ?? '';
    assert.match(twineVersion, /^\d+\.\d+/, version.stdout);
  });

  after(async () => {
    await trove?.stop();
  });

  it('twine uploads a wheel and an sdist: published, then file_added, with who, how and the sha256', async () => {
    const result = await twineUpload(projectPypi(), '__token__', releaseBot.token, distGlob(hello));
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const order = uploadedOrder(result.stdout + result.stderr);
    assert.deepEqual([...order].sort(), [basename(hello.wheel), basename(hello.sdist)].sort(), result.stdout);
    const localPath = (name: string) => (name === basename(hello.wheel) ? hello.wheel : hello.sdist);

    const published = await latestEvent(world.root, groupEvents(), PUBLISHED);
    const added = await latestEvent(world.root, groupEvents(), FILE_ADDED);
    for (const [event, fileName] of [
      [published, order[0]],
      [added, order[1]],
    ] as const) {
      assert.equal(event.outcome, 'success');
      assert.equal(event.entity_type, 'Group');
      assert.equal(event.entity_id, group.id);
      assert.deepEqual(
        { type: event.actor.type, token_id: event.actor.token_id, token_name: event.actor.token_name, owner: event.actor.token_owner_path },
        { type: 'deploy_token', token_id: releaseBot.id, token_name: 'release-bot', owner: 'acme/web-app' },
      );
      assert.equal(event.details.author_class, 'DeployToken');
      assert.equal(event.via, 'package_client');
      assert.deepEqual(event.client, { name: 'twine', version: twineVersion });
      assert.equal(event.pipeline, null);
      assert.deepEqual(event.project, { id: project.id, full_path: 'acme/web-app' });
      assert.deepEqual({ format: event.package.format, name: event.package.name, version: event.package.version }, { format: 'pypi', name: 'Probe.Hello', version: '0.1.0' });
      assert.equal(event.package.files[0].file_name, fileName);
      assert.equal(event.package.files[0].sha256, sha256File(localPath(fileName)));
      assert.equal(event.package.files[0].size, statSync(localPath(fileName)).size);
    }
    assert.equal(added.package.id, published.package.id, 'the second file joins the version the first created');
    assert.ok(added.id > published.id);

    const packages = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_type=pypi`);
    assert.equal(packages.length, 1);
    assert.equal(packages[0].version, '0.1.0');
    assert.equal(packages[0].published_by.actor.token_name, 'release-bot');
    assert.equal(packages[0].published_by.client.name, 'twine');
    const files = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages/${packages[0].id}/package_files`);
    assert.deepEqual(files.map((f: any) => f.file_name).sort(), order.slice().sort());
  });

  it('pip installs from the project index into a fresh venv, and the module runs', async () => {
    const venv = await Venv.create();
    const index = indexUrl(trove.baseUrl, simplePath(), reader.token);
    const install = await venv.pip(['install', '--index-url', index, 'probe-hello']);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    assert.match(install.stdout, /Successfully installed probe[-_.]hello-0\.1\.0/i);
    const ran = await venv.python(['-c', 'import probe_hello; print(probe_hello.hello())']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout.trim(), 'probe_hello 0.1.0');
  });

  it('pip download of the wheel and of the sdist gives the uploaded bytes', async () => {
    const index = indexUrl(trove.baseUrl, simplePath(), reader.token);
    const wheelVenv = await Venv.create();
    const wheelOut = tempDir('trove-pip-dl-');
    const wheel = await wheelVenv.pip(['download', '--no-deps', '--only-binary', ':all:', '-d', wheelOut, '--index-url', index, 'Probe.Hello==0.1.0']);
    assert.equal(wheel.code, 0, wheel.stdout + wheel.stderr);
    assert.deepEqual(readdirSync(wheelOut), [basename(hello.wheel)]);
    assert.ok(readFileSync(join(wheelOut, basename(hello.wheel))).equals(readFileSync(hello.wheel)), 'the downloaded wheel is byte-identical');

    // An sdist is built to read its metadata: setuptools and wheel come from the system site packages.
    const sdistVenv = await Venv.create({ systemSitePackages: true });
    const sdistOut = tempDir('trove-pip-dl-');
    const sdist = await sdistVenv.pip(['download', '--no-deps', '--no-binary', ':all:', '--no-build-isolation', '-d', sdistOut, '--index-url', index, 'probe-hello==0.1.0']);
    assert.equal(sdist.code, 0, sdist.stdout + sdist.stderr);
    assert.deepEqual(readdirSync(sdistOut), [basename(hello.sdist)]);
    assert.ok(readFileSync(join(sdistOut, basename(hello.sdist))).equals(readFileSync(hello.sdist)), 'the downloaded sdist is byte-identical');
  });

  it('the group index installs a package published in a project of a subgroup', async () => {
    const corp = await world.group('corp');
    const platform = await world.group('platform', corp.id);
    const tools = await world.project('tools', platform.id);
    await world.addMember('groups', corp.id, developer, 30);
    const corpTool = await buildProject({ name: 'corp-tool', version: '1.2.0', module: 'corp_tool' });
    const upload = await twineUpload(`${trove.baseUrl}/api/v4/projects/${tools.id}/packages/pypi`, 'dana', developer.token, distGlob(corpTool));
    assert.equal(upload.code, 0, upload.stdout + upload.stderr);
    const event = await latestEvent(world.root, `/api/v4/groups/${platform.id}/audit_events`, PUBLISHED);
    assert.equal(event.details.entity_path, 'corp/platform');
    assert.equal(event.actor.token_name, 'dana-laptop');
    assert.equal(event.package.name, 'corp-tool');

    const groupReader = await world.deployToken('groups', corp.id, 'corp-reader', ['read_package_registry']);
    const groupIndex = `/api/v4/groups/${corp.id}/-/packages/pypi/simple/`;
    const venv = await Venv.create();
    const install = await venv.pip(['install', '--index-url', indexUrl(trove.baseUrl, groupIndex, groupReader.token), 'corp-tool']);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    const ran = await venv.python(['-c', 'import corp_tool; print(corp_tool.hello())']);
    assert.equal(ran.stdout.trim(), 'corp_tool 1.2.0', ran.stderr);

    const api = new Api(trove.baseUrl, basic(groupReader.token, '__token__'));
    const list = await api.get(groupIndex, { accept: 'application/vnd.pypi.simple.v1+json' });
    assert.deepEqual(list.body.projects, [{ name: 'corp-tool' }], 'the group index lists only what is below the group');
    // The project index of acme/web-app knows nothing of corp-tool.
    const elsewhere = await world.root.get(`${simplePath()}corp-tool/`);
    assert.equal(elsewhere.status, 404);
  });

  it('records a CI job token upload via "pipeline" with the pipeline', async () => {
    const sha = '3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b';
    const job = await world.jobToken(project.id, { pipeline_id: 881, job_id: 4242, ref: 'main', sha, user_id: developer.id });
    const next = await buildProject({ name: 'Probe.Hello', version: '0.2.0', module: 'probe_hello' });
    const result = await twineUpload(projectPypi(), 'gitlab-ci-token', job.token, [next.wheel]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const event = await latestEvent(world.root, groupEvents(), PUBLISHED);
    assert.equal(event.package.version, '0.2.0');
    assert.equal(event.package.files[0].sha256, sha256File(next.wheel));
    assert.equal(event.actor.type, 'job_token');
    assert.equal(event.actor.token_id, job.id);
    assert.equal(event.actor.user_id, developer.id);
    assert.equal(event.author_id, developer.id);
    assert.equal(event.via, 'pipeline');
    assert.deepEqual(event.client, { name: 'twine', version: twineVersion });
    assert.deepEqual(event.pipeline, { id: 881, job_id: 4242, project_path: 'acme/web-app', ref: 'main', sha, url: null });
    const packages = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_type=pypi&package_version=0.2.0`);
    assert.equal(packages.length, 1);
    assert.equal(packages[0].published_by.via, 'pipeline');
    assert.equal(packages[0].published_by.pipeline.job_id, 4242);
  });
});

describe('PyPI simple index documents', () => {
  let trove: RunningTrove;
  let api: Api;
  let hello: BuiltProject;
  let base: string;

  before(async () => {
    trove = await startTrove();
    const world = new World(trove);
    const group = await world.group('acme');
    const project = await world.project('web-app', group.id);
    const bot = await world.deployToken('projects', project.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
    hello = await buildProject({ name: 'Probe.Hello', version: '0.1.0', module: 'probe_hello', requiresPython: '>=3.7,<4' });
    const upload = await twineUpload(`${trove.baseUrl}/api/v4/projects/${project.id}/packages/pypi`, '__token__', bot.token, [hello.wheel, hello.sdist]);
    assert.equal(upload.code, 0, upload.stdout + upload.stderr);
    api = new Api(trove.baseUrl, basic(bot.token, '__token__'));
    base = `/api/v4/projects/${project.id}/packages/pypi/simple/`;
  });

  after(async () => {
    await trove?.stop();
  });

  const local = () => [hello.wheel, hello.sdist].map((path) => ({ name: basename(path), sha256: sha256File(path), size: statSync(path).size }));

  it('serves PEP 503 HTML: one escaped link per file with #sha256= and data-requires-python', async () => {
    const page = await api.get(`${base}probe-hello/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('vary') ?? '', /accept/i);
    assert.match(page.text, /^<!DOCTYPE html>/i);
    assert.match(page.text, /<meta name="pypi:repository-version" content="1\.\d+">/);
    const anchors = [...page.text.matchAll(/<a href="([^"]+)"([^>]*)>([^<]+)<\/a>/g)];
    assert.equal(anchors.length, 2, page.text);
    for (const file of local()) {
      const anchor = anchors.find((a) => a[3] === file.name);
      assert.ok(anchor, `a link for ${file.name}`);
      const [href, fragment] = anchor[1].replaceAll('&amp;', '&').split('#');
      assert.equal(fragment, `sha256=${file.sha256}`);
      // setuptools may reorder the specifiers; '<' and '>' must arrive escaped.
      const requires = / data-requires-python="([^"]*)"/.exec(anchor[2]);
      assert.ok(requires, `data-requires-python on ${file.name}: ${anchor[0]}`);
      assert.match(requires[1], /&gt;=3\.7/);
      assert.match(requires[1], /&lt;4/);
      assert.ok(!/[<>]/.test(requires[1]), 'the specifier is HTML-escaped');
      assert.deepEqual(specifiers(requires[1].replaceAll('&lt;', '<').replaceAll('&gt;', '>')), ['<4', '>=3.7']);
      const download = await fetch(new URL(href, `${trove.baseUrl}${base}probe-hello/`), { headers: api.auth });
      assert.equal(download.status, 200);
      assert.ok(Buffer.from(await download.arrayBuffer()).equals(readFileSync(file.name.endsWith('.whl') ? hello.wheel : hello.sdist)));
    }
    const html = await api.get(`${base}probe-hello/`, { accept: 'application/vnd.pypi.simple.v1+html' });
    assert.match(html.headers.get('content-type') ?? '', /^application\/vnd\.pypi\.simple\.v1\+html/);
    assert.equal(html.text, page.text);
  });

  it('serves PEP 691 JSON (with PEP 700 fields) when the Accept header prefers it', async () => {
    // pip's own Accept header.
    const accept = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
    const page = await api.get(`${base}probe-hello/`, { accept });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^application\/vnd\.pypi\.simple\.v1\+json/);
    assert.match(page.body.meta['api-version'], /^1\.\d+$/);
    assert.equal(page.body.name, 'probe-hello');
    assert.deepEqual(page.body.versions, ['0.1.0']);
    assert.equal(page.body.files.length, 2);
    for (const file of local()) {
      const entry = page.body.files.find((f: any) => f.filename === file.name);
      assert.ok(entry, `an entry for ${file.name}`);
      assert.deepEqual(entry.hashes, { sha256: file.sha256 });
      assert.deepEqual(specifiers(entry['requires-python']), ['<4', '>=3.7']);
      assert.equal(entry.size, file.size);
      assert.match(entry['upload-time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/);
      assert.ok(new URL(entry.url).pathname.endsWith(`/${encodeURIComponent(file.name)}`));
    }
    // q-values decide: HTML preferred over JSON here.
    const html = await api.get(`${base}probe-hello/`, { accept: 'application/vnd.pypi.simple.v1+json; q=0.2, text/html' });
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
  });

  it('lists projects at /simple/ in both forms', async () => {
    const html = await api.get(base);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    const links = [...html.text.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(links, [['probe-hello/', 'probe-hello']]);
    const json = await api.get(base, { accept: 'application/vnd.pypi.simple.v1+json' });
    assert.match(json.headers.get('content-type') ?? '', /^application\/vnd\.pypi\.simple\.v1\+json/);
    assert.match(json.body.meta['api-version'], /^1\.\d+$/);
    assert.deepEqual(json.body.projects, [{ name: 'probe-hello' }]);
    // PEP 503: URLs without the trailing slash redirect to it, so relative links resolve.
    const bare = await fetch(`${trove.baseUrl}${base.slice(0, -1)}`, { headers: api.auth, redirect: 'manual' });
    assert.ok([301, 308].includes(bare.status), `GET .../simple answered ${bare.status}`);
    assert.equal(new URL(bare.headers.get('location')!, trove.baseUrl).pathname, base);
  });

  it('serves the normalised page for a non-normalised name in the URL', async () => {
    const json = { accept: 'application/vnd.pypi.simple.v1+json' };
    const normal = await api.get(`${base}probe-hello/`, json);
    for (const name of ['Probe.Hello', 'PROBE__hello', 'probe_hello', 'probe-.-hello']) {
      const page = await api.get(`${base}${name}/`, json);
      assert.equal(page.status, 200, name);
      assert.equal(page.body.name, 'probe-hello');
      assert.deepEqual(page.body, normal.body, name);
      const html = await api.get(`${base}${name}/`);
      assert.match(html.text, /<title>Links for probe-hello<\/title>/);
    }
    const missing = await api.get(`${base}probe-goodbye/`);
    assert.equal(missing.status, 404);
    assert.ok(!missing.text.includes('sha256'), 'a 404 lists no files');
  });

  it('answers 401 to an anonymous reader of a private project index', async () => {
    const anonymous = await fetch(`${trove.baseUrl}${base}probe-hello/`);
    assert.equal(anonymous.status, 401);
    assert.ok(!(await anonymous.text()).includes('sha256'));
  });
});

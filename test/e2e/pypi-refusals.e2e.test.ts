import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventCount, latestEvent } from '../support/audit.js';
import { fastBlobGc } from '../support/background-jobs.js';
import { buildProject, twineForm, twineUpload, type BuiltProject } from '../support/python-client.js';
import { assertOnlyFileBlobsStored } from '../support/stored-blobs.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// Every refused PyPI upload: the right status, a plain-text message (twine shows it), the store
// exactly as before (packages and files; once the blob collector has run, the blob folder too),
// and publish_denied for authenticated callers.

const DENIED = 'package_registry_package_publish_denied';

interface Reply {
  status: number;
  contentType: string;
  text: string;
}

describe('PyPI upload refusals', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number };
  let project: { id: number };
  let writer: { id: number; token: string };
  let reader: { id: number; token: string };
  let hello: BuiltProject;
  const uploadUrl = () => `${trove.baseUrl}/api/v4/projects/${project.id}/packages/pypi`;
  const groupEvents = () => `/api/v4/groups/${group.id}/audit_events`;

  before(async () => {
    trove = await startTrove({ env: fastBlobGc() });
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    writer = await world.deployToken('projects', project.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
    reader = await world.deployToken('projects', project.id, 'reader', ['read_package_registry']);
    hello = await buildProject({ name: 'Probe.Hello', version: '0.1.0', module: 'probe_hello' });
    const first = await twineUpload(uploadUrl(), '__token__', writer.token, [hello.wheel, hello.sdist]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
  });

  after(async () => {
    await trove?.stop();
  });

  /**
   * What a refusal must leave untouched: every package with its files. Bytes a refused upload
   * stored are the blob collector's to remove (the last test checks that nothing else is stored).
   */
  async function store() {
    const packages = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?per_page=100`);
    const files = [];
    for (const pkg of packages) files.push(await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages/${pkg.id}/package_files?per_page=100`));
    return { packages, files };
  }

  /** A twine-shaped multipart upload built with fetch + FormData; `fields` override twine's. */
  async function rawUpload(fileName: string, fields: Record<string, string>, token: string | null, content = Buffer.from(`bytes of ${fileName}`), repeated: [string, string][] = []): Promise<Reply> {
    const form = twineForm('Probe.Hello', '0.3.0', fileName, content, fields, repeated);
    const headers: Record<string, string> = { 'user-agent': 'twine/4.0.2 CPython/3.11.2' };
    if (token) headers.authorization = `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;
    const res = await fetch(uploadUrl(), { method: 'POST', body: form, headers });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  /** A POST of `body` as it is, for bodies no form builder sends (no boundary, cut short). */
  async function rawPost(contentType: string, body: string, token: string): Promise<Reply> {
    const headers = {
      'content-type': contentType,
      'user-agent': 'twine/4.0.2 CPython/3.11.2',
      authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`,
    };
    const res = await fetch(uploadUrl(), { method: 'POST', body, headers });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  /** A twine-shaped multipart body for 0.3.0 whose file part is cut off in the middle, without the closing boundary. */
  function truncatedBody(boundary: string): string {
    const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    return (
      field(':action', 'file_upload') +
      field('name', 'Probe.Hello') +
      field('version', '0.3.0') +
      `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="Probe.Hello-0.3.0-py3-none-any.whl"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n${'wheel bytes '.repeat(5000)}`
    );
  }

  /**
   * Runs `attempt`, which must be refused with `status` and a message matching `message`, leaving the
   * store unchanged; `deniedBy` is the token name of the publish_denied event, or null for none at all.
   */
  async function refused(attempt: () => Promise<Reply | null>, status: number, message: RegExp, deniedBy: string | null, version: string | null = '0.3.0') {
    const before = await store();
    const eventsBefore = await eventCount(world.root, '/api/v4/audit_events');
    const deniedBefore = await eventCount(world.root, groupEvents(), `&event_name=${DENIED}`);
    const reply = await attempt();
    if (reply) {
      assert.equal(reply.status, status, reply.text);
      assert.match(reply.contentType, /^text\/plain/);
      assert.match(reply.text, message);
    }
    assert.deepEqual(await store(), before, 'a refused upload changes nothing');
    if (deniedBy === null) {
      assert.equal(await eventCount(world.root, '/api/v4/audit_events'), eventsBefore, 'no event at all');
      return;
    }
    assert.equal(await eventCount(world.root, groupEvents(), `&event_name=${DENIED}`), deniedBefore + 1);
    assert.equal(await eventCount(world.root, '/api/v4/audit_events'), eventsBefore + 1, 'only the denial is recorded');
    const event = await latestEvent(world.root, groupEvents(), DENIED);
    assert.equal(event.outcome, 'failure');
    assert.match(event.reason, message);
    assert.equal(event.actor.type, 'deploy_token');
    assert.equal(event.actor.token_name, deniedBy);
    if (version === null) {
      // Refused before the form was read (authorization): the package is not known yet.
      assert.ok(event.package === null || event.package.format === 'pypi', JSON.stringify(event.package));
    } else {
      assert.equal(event.package.format, 'pypi');
      assert.equal(event.package.version, version);
    }
    assert.equal(event.client.name, 'twine');
  }

  it('refuses the same files again through twine (400 "File already exists")', async () => {
    let output = '';
    await refused(
      async () => {
        const again = await twineUpload(uploadUrl(), '__token__', writer.token, [hello.wheel, hello.sdist], { verbose: true });
        output = again.stdout + again.stderr;
        assert.notEqual(again.code, 0, output);
        return null;
      },
      400,
      /File already exists/,
      'release-bot',
      '0.1.0',
    );
    assert.match(output, /400/);
    assert.match(output, /File already exists/);
    // The raw answer is plain text, as on PyPI.
    await refused(async () => rawUpload(hello.wheel.split('/').pop()!, { version: '0.1.0' }, writer.token, Buffer.from('other bytes')), 400, /File already exists/, 'release-bot', '0.1.0');
  });

  it('lets twine --skip-existing recognise the refusal as "already exists"', async () => {
    let output = '';
    await refused(
      async () => {
        const skip = await twineUpload(uploadUrl(), '__token__', writer.token, [hello.wheel], { skipExisting: true });
        output = skip.stdout + skip.stderr;
        assert.equal(skip.code, 0, output);
        return null;
      },
      400,
      /File already exists/,
      'release-bot',
      '0.1.0',
    );
    assert.match(output, /Skipping[\s\S]*already exist/i);
  });

  it('refuses a read-only deploy token (403) through twine and raw', async () => {
    const next = await buildProject({ name: 'Probe.Hello', version: '0.4.0', module: 'probe_hello' });
    let output = '';
    await refused(
      async () => {
        const result = await twineUpload(uploadUrl(), '__token__', reader.token, [next.wheel]);
        output = result.stdout + result.stderr;
        assert.notEqual(result.code, 0, output);
        return null;
      },
      403,
      /./,
      'reader',
      null,
    );
    assert.match(output, /403/);
    await refused(() => rawUpload('Probe.Hello-0.3.0-py3-none-any.whl', {}, reader.token), 403, /\w/, 'reader', null);
  });

  it('refuses a wrong sha256_digest', async () => {
    await refused(() => rawUpload('Probe.Hello-0.3.0-py3-none-any.whl', { sha256_digest: 'ab'.repeat(32) }, writer.token), 400, /sha256_digest/, 'release-bot');
  });

  it('refuses a file name that does not belong to the project and version', async () => {
    for (const fileName of ['Other-0.3.0-py3-none-any.whl', 'Probe.Hello-0.4.0-py3-none-any.whl', 'Probe.Hello-0.4.0.tar.gz', 'Probe.Hello-0.3.0.exe']) {
      await refused(() => rawUpload(fileName, {}, writer.token), 400, /does not match|not a valid wheel|not an sdist/, 'release-bot');
    }
  });

  it("refuses file names with '/', '\\', '..', NUL or control characters", async () => {
    const wheel = 'Probe.Hello-0.3.0-py3-none-any.whl';
    const names = [`x/${wheel}`, `/tmp/${wheel}`, `x\\${wheel}`, `../${wheel}`, 'Probe.Hello-0.3.0-py3-none-any..whl', `..`, `Probe.Hello-0.3.0-py3-none-an\u0000y.whl`, `Probe.Hello-0.3.0-py3-none-an\u0001y.whl`, `Probe.Hello-0.3.0-py3-none-an\ty.whl`, `Probe.Hello-0.3.0-py3-none-an\u007fy.whl`, 'Probe.Hello-0.3.0-py3-none-any\u20ac.whl'];
    for (const fileName of names) {
      await refused(() => rawUpload(fileName, {}, writer.token), 400, /Invalid file name/, 'release-bot');
    }
  });

  it('refuses an invalid project name and an invalid PEP 440 version', async () => {
    for (const name of ['Probe Hello', '-probe', 'probe/hello', 'probe..hello!']) {
      await refused(() => rawUpload('Probe.Hello-0.3.0-py3-none-any.whl', { name }, writer.token), 400, /Invalid project name/, 'release-bot');
    }
    for (const version of ['latest', '1.0-foo-bar', '0.3.0 ', '1.0.']) {
      await refused(() => rawUpload(`Probe.Hello-${version}-py3-none-any.whl`, { version }, writer.token), 400, /Invalid version/, 'release-bot', version);
    }
  });

  it('refuses multipart without a boundary and multipart cut short with 400, audited', async () => {
    await refused(() => rawPost('multipart/form-data', 'name=Probe.Hello', writer.token), 400, /^Malformed multipart\/form-data upload: .*Boundary not found/, 'release-bot', null);
    await refused(() => rawPost('multipart/form-data; charset=utf-8', '', writer.token), 400, /^Malformed multipart\/form-data upload: .*Boundary not found/, 'release-bot', null);
    // The denial names the package and version the form gave before it broke off.
    const boundary = 'trove-test-boundary-7f3a';
    await refused(() => rawPost(`multipart/form-data; boundary=${boundary}`, truncatedBody(boundary), writer.token), 400, /^Malformed multipart\/form-data upload: .*unexpected end of multipart data/i, 'release-bot');
    const fieldsOnly = truncatedBody(boundary).slice(0, truncatedBody(boundary).indexOf('0.3.0') + 3);
    await refused(() => rawPost(`multipart/form-data; boundary=${boundary}`, fieldsOnly, writer.token), 400, /^Malformed multipart\/form-data upload: /, 'release-bot', null);
  });

  it('refuses a metadata field over its limit instead of cutting it (2.6 MB summary), audited', async () => {
    // Over the form's 1 MiB field limit: refused whole, never stored cut to 1 MiB.
    await refused(
      () => rawUpload('Probe.Hello-0.3.0-py3-none-any.whl', { summary: 's'.repeat(2_600_000) }, writer.token),
      400,
      /'summary' field is longer than 1048576 bytes/,
      'release-bot',
    );
    await refused(
      () => rawUpload('Probe.Hello-0.3.0-py3-none-any.whl', { description: 'd'.repeat(1024 * 1024 + 1) }, writer.token),
      400,
      /'description' field is longer than 1048576 bytes/,
      'release-bot',
    );
    await refused(
      () => rawUpload('Probe.Hello-0.3.0-py3-none-any.whl', { [`odd\u0001${'n'.repeat(5000)}`]: 'v'.repeat(1024 * 1024 + 1) }, writer.token),
      400,
      /^A form field is longer than 1048576 bytes$/,
      'release-bot',
    );
    // PyPI's own limit of the summary, with PyPI's message, through twine (which does not check it).
    const long = await buildProject({ name: 'Probe.Hello', version: '0.3.0', module: 'probe_hello', description: `${'\u00e9'.repeat(500)} and more words` });
    let output = '';
    await refused(
      async () => {
        const result = await twineUpload(uploadUrl(), '__token__', writer.token, [long.wheel], { verbose: true });
        output = result.stdout + result.stderr;
        assert.notEqual(result.code, 0, output);
        return null;
      },
      400,
      /'summary' field must be 512 characters or less/,
      'release-bot',
    );
    assert.match(output, /400[\s\S]*'summary' field must be 512 characters or less/);
    // 512 characters of two bytes each is within PyPI's limit: characters, not bytes, are counted.
    await refused(() => rawUpload('Probe.Hello-0.3.0-py3-none-any.whl', { summary: '\u00e9'.repeat(513) }, writer.token), 400, /'summary' field must be 512 characters or less/, 'release-bot');
  });

  it('answers 401 to an anonymous upload and records nothing', async () => {
    await refused(() => rawUpload('Probe.Hello-0.3.0-py3-none-any.whl', {}, null), 401, /\w/, null);
  });

  it('accepts the same raw upload once it is right (the refusals above were for their fault)', async () => {
    const reply = await rawUpload('Probe.Hello-0.3.0-py3-none-any.whl', { summary: '\u00e9'.repeat(512) }, writer.token);
    assert.equal(reply.status, 201, reply.text);
    const event = await latestEvent(world.root, groupEvents(), 'package_registry_package_published');
    assert.equal(event.package.version, '0.3.0');
    assert.equal(event.package.files[0].file_name, 'Probe.Hello-0.3.0-py3-none-any.whl');
  });

  it('accepts an upload with hundreds of classifiers and requirements (twine sends each as its own field)', async () => {
    const repeated: [string, string][] = [
      ...Array.from({ length: 400 }, (_, i): [string, string] => ['classifiers', `Framework :: Probe :: ${i}`]),
      ...Array.from({ length: 200 }, (_, i): [string, string] => ['requires_dist', `dep-${i}>=1.0`]),
    ];
    const reply = await rawUpload('Probe.Hello-0.4.0-py3-none-any.whl', { version: '0.4.0' }, writer.token, Buffer.from('bytes of 0.4.0'), repeated);
    assert.equal(reply.status, 201, reply.text);
  });

  it('keeps no bytes of the refused uploads once the blob collector has run', async () => {
    await assertOnlyFileBlobsStored(trove, world.root, [project.id]);
  });
});

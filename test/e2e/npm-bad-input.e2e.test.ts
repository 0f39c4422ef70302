import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTarball, packageTarball, publishBody } from '../support/npm-publish-body.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';
import { storedBlobs } from '../support/stored-blobs.js';

// Bad input to npm publish and the other npm writes (docs/architecture.md#bad-input-and-limits): the right 4xx with npm's
// {"error": "..."} body, nothing stored (package list, packument bytes, blob files), and the
// refusal audited as package_registry_package_publish_denied because the caller is authenticated.

const SURVIVOR = 'keep-me';

interface Registry {
  trove: RunningTrove;
  world: World;
  groupId: number;
  projectId: number;
  dev: TestUser;
}

interface Res {
  status: number;
  body: any;
  text: string;
}

async function registry(env?: Record<string, string>): Promise<Registry> {
  const trove = await startTrove({ env });
  const world = new World(trove);
  const group = await world.group('acme');
  const project = await world.project('web-app', group.id);
  const dev = await world.user('dana', ['api'], 'dana-laptop');
  await world.addMember('groups', group.id, dev, 30);
  const r: Registry = { trove, world, groupId: group.id, projectId: project.id, dev };
  // Something that must survive every refused request below.
  const res = await put(r, SURVIVOR, publishBody(SURVIVOR, '1.0.0', await packageTarball(SURVIVOR, '1.0.0')));
  assert.equal(res.status, 200, res.text);
  return r;
}

const npmPath = (r: Registry, rest: string) => `/api/v4/projects/${r.projectId}/packages/npm/${rest}`;
const put = (r: Registry, name: string, body: unknown): Promise<Res> => r.dev.api.put(npmPath(r, encodeURIComponent(name)), body);
const groupEvents = (r: Registry) => `/api/v4/groups/${r.groupId}/audit_events`;

/** A PUT with the path sent byte for byte (fetch would resolve a ".." segment away). */
function rawPut(r: Registry, path: string, text: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'private-token': r.dev.token };
    const req = httpRequest({ host: '127.0.0.1', port: r.trove.port, method: 'PUT', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text, text });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** What must not change: package list, the survivor's packument bytes, the blob files, the event count. */
async function snapshot(r: Registry) {
  const list = await r.world.root.get(`/api/v4/projects/${r.projectId}/packages?per_page=100`);
  const packument = await r.world.root.get(npmPath(r, SURVIVOR));
  const events = await r.world.root.get(`${groupEvents(r)}?per_page=1`);
  assert.equal(list.status, 200, list.text);
  assert.equal(packument.status, 200, packument.text);
  const tmp = join(r.trove.dataDir, 'blobs', 'tmp');
  return {
    packages: list.text,
    packument: packument.text,
    blobs: await storedBlobs(r.trove),
    tmp: existsSync(tmp) ? readdirSync(tmp) : [],
    events: Number(events.headers.get('x-total')),
  };
}

interface Case {
  title: string;
  limits?: boolean; // on the server with small TROVE_MAX_UPLOAD_BYTES / TROVE_MAX_UNPACKED_BYTES
  status: number;
  error: RegExp;
  pkg?: string; // the package name the denial event must carry (unset: not asserted)
  send: (r: Registry) => Promise<Res>;
}

/** A publish of `name`@`version` whose tarball is built by `tarball` (default: a correct one). */
async function publishWith(r: Registry, name: string, version: string, edit: (body: any) => void, tarball?: Buffer): Promise<Res> {
  const body: any = publishBody(name, version, tarball ?? (await packageTarball(name, version)));
  edit(body);
  return put(r, name, body);
}

const hostile = (extra: Parameters<typeof packageTarball>[2]) => async (r: Registry) =>
  put(r, SURVIVOR, publishBody(SURVIVOR, '2.0.0', await packageTarball(SURVIVOR, '2.0.0', extra)));
const badName = (name: string) => async (r: Registry) => put(r, name, publishBody(name, '1.0.0', await packageTarball(name, '1.0.0')));
const keep = () => undefined;

const cases: Case[] = [
  { title: 'uppercase name', status: 400, error: /Invalid package name "Keep-Me".*capital/, send: badName('Keep-Me') },
  { title: 'name with spaces', status: 400, error: /Invalid package name "has space".*URL-friendly/, send: badName('has space') },
  { title: 'name with a leading dot', status: 400, error: /Invalid package name "\.hidden".*period/, send: badName('.hidden') },
  {
    title: 'name ".." (raw path)',
    status: 400,
    error: /Invalid package name "\.\."/,
    send: async (r) => rawPut(r, npmPath(r, '..'), JSON.stringify(publishBody('..', '1.0.0', await packageTarball('..', '1.0.0')))),
  },
  {
    title: 'name with a slash that is not a scope',
    status: 400,
    error: /Invalid package name "keep-me\/evil"/,
    send: async (r) => r.dev.api.put(npmPath(r, SURVIVOR), publishBody('keep-me/evil', '1.0.0', await packageTarball('keep-me/evil', '1.0.0'))),
  },
  ...['@..', '@.', '@...', '@.hidden', '@-dash', '@_under', '@a~b', "@it's", '@a(b)'].map((scope) => ({
    title: `scope "${scope}"`,
    status: 400,
    error: new RegExp(`Invalid package name "${scope.replace(/[.()]/g, '\\$&')}/keep-me": a scope must begin with a lowercase letter or digit`),
    send: badName(`${scope}/keep-me`),
  })),
  {
    title: 'scope ".." in a raw path with %2f',
    status: 400,
    error: /Invalid package name "@\.\.\/keep-me": a scope/,
    send: async (r) => rawPut(r, npmPath(r, '@..%2fkeep-me'), JSON.stringify(publishBody('@../keep-me', '1.0.0', await packageTarball('@../keep-me', '1.0.0')))),
  },
  {
    title: 'scope "." in a raw path with a slash',
    status: 400,
    error: /Invalid package name "@\.\/keep-me": a scope/,
    send: async (r) => rawPut(r, npmPath(r, '@./keep-me'), JSON.stringify(publishBody('@./keep-me', '1.0.0', await packageTarball('@./keep-me', '1.0.0')))),
  },
  { title: 'name over 214 characters', status: 400, error: /Invalid package name "a{215}".*214/, send: badName('a'.repeat(215)) },
  {
    title: 'body name differs from the URL name',
    status: 400,
    error: /\(other-pkg\) does not match the URL \(keep-me\)/,
    send: async (r) => r.dev.api.put(npmPath(r, SURVIVOR), publishBody('other-pkg', '2.0.0', await packageTarball('other-pkg', '2.0.0'))),
  },
  { title: 'invalid version', status: 400, error: /Invalid version: "1\.0"/, pkg: SURVIVOR, send: (r) => publishWith(r, SURVIVOR, '1.0', keep) },
  {
    title: 'two versions in one publish',
    status: 400,
    error: /exactly one version/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b.versions['2.0.1'] = { ...b.versions['2.0.0'], version: '2.0.1' })),
  },
  {
    title: 'empty _attachments',
    status: 400,
    error: /exactly one tarball attachment/,
    pkg: 'brand-new',
    send: (r) => publishWith(r, 'brand-new', '1.0.0', (b) => (b._attachments = {})),
  },
  {
    title: 'a new version without _attachments',
    status: 400,
    error: /Version 2\.0\.0 has no tarball attachment/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => delete b._attachments),
  },
  {
    title: 'attachment that is not base64',
    status: 400,
    error: /base64/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (Object.values<any>(b._attachments)[0].data = '%%% not base64 %%%')),
  },
  {
    title: 'attachment length mismatch',
    status: 400,
    error: /Attachment length \d+ does not match its data/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (Object.values<any>(b._attachments)[0].length += 1)),
  },
  {
    title: 'wrong dist.integrity',
    status: 400,
    error: /integrity does not match/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b.versions['2.0.0'].dist.integrity = `sha512-${randomBytes(64).toString('base64')}`)),
  },
  {
    title: 'wrong dist.shasum',
    status: 400,
    error: /shasum does not match/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b.versions['2.0.0'].dist.shasum = 'da39a3ee5e6b4b0d3255bfef95601890afd80709')),
  },
  {
    title: 'no integrity at all',
    status: 400,
    error: /neither dist\.integrity nor dist\.shasum/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b.versions['2.0.0'].dist = {})),
  },
  {
    title: 'version manifest names another package',
    status: 400,
    error: /version manifest name and version must match/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b.versions['2.0.0'].name = 'other-pkg')),
  },
  {
    title: "manifest confusion: tarball's package.json names another package",
    status: 400,
    error: /package\.json \(evil-pkg@2\.0\.0\) does not match the manifest \(keep-me@2\.0\.0\)/,
    pkg: SURVIVOR,
    send: async (r) => publishWith(r, SURVIVOR, '2.0.0', keep, await packageTarball('evil-pkg', '2.0.0')),
  },
  {
    title: "manifest confusion: tarball's package.json has another version",
    status: 400,
    error: /package\.json \(keep-me@9\.9\.9\) does not match the manifest \(keep-me@2\.0\.0\)/,
    pkg: SURVIVOR,
    send: async (r) => publishWith(r, SURVIVOR, '2.0.0', keep, await packageTarball(SURVIVOR, '9.9.9')),
  },
  { title: 'tarball with a symlink', status: 400, error: /"package\/link" is a symlink/, pkg: SURVIVOR, send: hostile([{ name: 'package/link', type: 'symlink', linkname: '/etc/passwd' }]) },
  { title: 'tarball with a hard link', status: 400, error: /"package\/hard" is a link/, pkg: SURVIVOR, send: hostile([{ name: 'package/hard', type: 'link', linkname: 'package/index.js' }]) },
  { title: 'tarball with an absolute path', status: 400, error: /"\/tmp\/evil\.js" has an unsafe path/, pkg: SURVIVOR, send: hostile([{ name: '/tmp/evil.js', content: 'x' }]) },
  { title: 'tarball with a ".." path', status: 400, error: /escapes the package folder/, pkg: SURVIVOR, send: hostile([{ name: 'package/../../evil.js', content: 'x' }]) },
  {
    title: 'attachment that is not gzip',
    status: 400,
    error: /not a valid gzipped tar archive/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', keep, Buffer.from('just some text, not a tarball\n'.repeat(20))),
  },
  {
    title: 'tarball without package.json',
    status: 400,
    error: /no package\.json/,
    pkg: SURVIVOR,
    send: async (r) => publishWith(r, SURVIVOR, '2.0.0', keep, await makeTarball([{ name: 'package/index.js', content: 'module.exports = 1;' }])),
  },
  { title: 'dist-tag that is a semver range', status: 400, error: /Invalid tag name "1\.x"/, pkg: SURVIVOR, send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b['dist-tags'] = { '1.x': '2.0.0' })) },
  { title: 'dist-tag with a slash', status: 400, error: /Invalid tag name "a\/b"/, pkg: SURVIVOR, send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b['dist-tags'] = { 'a/b': '2.0.0' })) },
  {
    title: 'republishing an existing version with other content',
    status: 403,
    error: /previously published versions: 1\.0\.0/,
    pkg: SURVIVOR,
    send: async (r) => publishWith(r, SURVIVOR, '1.0.0', keep, await packageTarball(SURVIVOR, '1.0.0', [{ name: 'package/extra.js', content: 'x' }])),
  },
  {
    title: 'npm dist-tag add with a semver-range tag',
    status: 400,
    error: /Invalid tag name "1\.x"/,
    pkg: SURVIVOR,
    send: (r) => r.dev.api.request('PUT', npmPath(r, `-/package/${SURVIVOR}/dist-tags/1.x`), '"1.0.0"'),
  },
  {
    title: 'npm dist-tag add with an invalid version',
    status: 400,
    error: /Invalid version: "not-a-version"/,
    pkg: SURVIVOR,
    send: (r) => r.dev.api.request('PUT', npmPath(r, `-/package/${SURVIVOR}/dist-tags/beta`), '"not-a-version"'),
  },
  { title: 'npm dist-tag rm latest', status: 400, error: /"latest" dist-tag cannot be removed/, pkg: SURVIVOR, send: (r) => r.dev.api.delete(npmPath(r, `-/package/${SURVIVOR}/dist-tags/latest`)) },
  { title: 'malformed JSON body', status: 400, error: /JSON/, send: (r) => r.dev.api.request('PUT', npmPath(r, SURVIVOR), '{"name": "keep-me", "versions": {') },
  {
    title: 'tarball over TROVE_MAX_UPLOAD_BYTES',
    limits: true,
    status: 413,
    error: /too large/,
    pkg: SURVIVOR,
    // base64 of random bytes stays ~60 KB gzipped: over the 50 000-byte limit.
    send: hostile([{ name: 'package/random.txt', content: randomBytes(60_000).toString('base64') }]),
  },
  {
    title: 'request body over the body limit',
    limits: true,
    status: 413,
    error: /too large/,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b.readme = 'x'.repeat(1_200_000))),
  },
  {
    title: 'version document over TROVE_MAX_MANIFEST_BYTES (its readme)',
    limits: true,
    status: 413,
    error: /version document is \d+ bytes \(readme included\), over the limit of 100000 bytes/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b.versions['2.0.0'].readme = 'x'.repeat(100_000))),
  },
  {
    title: 'version document over the default TROVE_MAX_MANIFEST_BYTES of 4 MiB',
    status: 413,
    error: /over the limit of 4194304 bytes/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b.versions['2.0.0'].readme = 'x'.repeat(4 * 1024 * 1024))),
  },
  {
    title: 'readme alone over TROVE_MAX_MANIFEST_BYTES',
    limits: true,
    status: 413,
    error: /readme alone is 300000 bytes, over the limit of 100000 bytes/,
    pkg: SURVIVOR,
    send: (r) => publishWith(r, SURVIVOR, '2.0.0', (b) => (b.versions['2.0.0'].readme = '\u00e9'.repeat(150_000))),
  },
  {
    title: 'npm deprecate with a message that makes the version document too large',
    limits: true,
    status: 413,
    error: /deprecation message would make keep-me@1\.0\.0's version document larger than 100000 bytes/,
    pkg: SURVIVOR,
    send: (r) => put(r, SURVIVOR, { name: SURVIVOR, versions: { '1.0.0': { name: SURVIVOR, version: '1.0.0', deprecated: 'x'.repeat(100_000) } } }),
  },
  {
    title: 'decompression bomb',
    limits: true,
    status: 413,
    error: /unpacks to more than 100000 bytes/,
    pkg: SURVIVOR,
    send: hostile([{ name: 'package/zeros.txt', content: '0'.repeat(3_000_000) }]),
  },
];

describe('npm bad input', () => {
  let main: Registry;
  let limits: Registry;

  before(async () => {
    [main, limits] = await Promise.all([
      registry(),
      registry({ TROVE_MAX_UPLOAD_BYTES: '50000', TROVE_MAX_UNPACKED_BYTES: '100000', TROVE_MAX_MANIFEST_BYTES: '100000' }),
    ]);
  });

  after(async () => {
    await Promise.all([main?.trove.stop(), limits?.trove.stop()]);
  });

  for (const c of cases) {
    it(`refuses ${c.title} with ${c.status}, stores nothing and audits the refusal`, async () => {
      const r = c.limits ? limits : main;
      const before = await snapshot(r);
      assert.deepEqual(before.tmp, []);
      assert.ok(before.blobs.length > 0, 'the survivor has a blob');

      const res = await c.send(r);
      assert.equal(res.status, c.status, res.text);
      assert.equal(typeof res.body?.error, 'string', `npm-style {"error"} body expected, got: ${res.text}`);
      assert.match(res.body.error, c.error);

      const afterwards = await snapshot(r);
      assert.deepEqual(afterwards, { ...before, events: before.events + 1 }, 'store changed, or not exactly one new event');

      const newest = await r.world.root.get(`${groupEvents(r)}?per_page=1`);
      const event = newest.body[0];
      assert.equal(event.event_name, 'package_registry_package_publish_denied');
      assert.equal(event.outcome, 'failure');
      assert.equal(event.reason, res.body.error);
      assert.equal(event.actor.type, 'personal_access_token');
      assert.equal(event.actor.username, 'dana');
      assert.equal(event.actor.token_name, 'dana-laptop');
      assert.deepEqual(event.project, { id: r.projectId, full_path: 'acme/web-app' });
      if (c.pkg) assert.equal(event.package?.name, c.pkg);
    });
  }

  it('still accepts a valid publish afterwards, on both servers', async () => {
    for (const r of [main, limits]) {
      const res = await put(r, SURVIVOR, publishBody(SURVIVOR, '2.0.0', await packageTarball(SURVIVOR, '2.0.0')));
      assert.equal(res.status, 200, res.text);
      const packument = await r.world.root.get(npmPath(r, SURVIVOR));
      assert.deepEqual(Object.keys(packument.body.versions).sort(), ['1.0.0', '2.0.0']);
      assert.equal(packument.body['dist-tags'].latest, '2.0.0');
      assert.equal((await storedBlobs(r.trove)).length, 2);
    }
  });

  it('serves a long readme under the limit cut to 65536 characters, as registry.npmjs.org does', async () => {
    const name = 'long-readme';
    // 3 MB: under the default 4 MiB version document. The emoji's surrogate pair straddles the cut.
    const readme = `${'x'.repeat(65_535)}\u{1F600}${'y'.repeat(3_000_000)}END`;
    const res = await publishWith(main, name, '1.0.0', (b) => (b.versions['1.0.0'].readme = readme));
    assert.equal(res.status, 200, res.text);
    const cut = 'x'.repeat(65_535);
    const packument = await main.world.root.get(npmPath(main, name));
    assert.equal(packument.status, 200, packument.text);
    assert.equal(packument.body.readme, cut);
    assert.equal(packument.body.versions['1.0.0'].readme, cut);
    assert.ok(packument.text.length < 3 * 65_536, `packument of ${packument.text.length} characters`);
    const version = await main.world.root.get(npmPath(main, `${name}/1.0.0`));
    assert.equal(version.body.readme, cut);

    // Four readers of the package and the health check side by side: every answer whole and small.
    const readers = Array.from({ length: 4 }, () => main.world.root.get(npmPath(main, name)));
    const health = await main.world.root.get('/-/health');
    assert.equal(health.status, 200, health.text);
    assert.equal(health.body.status, 'ok');
    for (const reader of await Promise.all(readers)) {
      assert.equal(reader.status, 200);
      assert.equal(reader.text, packument.text);
    }
  });
});

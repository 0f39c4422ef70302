import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { publishOk } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// docs/architecture.md#bad-input-and-limits: a request is authorised on the route it matched. The web UI's session cookie opens the
// REST API only; package-client endpoints (npm, PyPI, generic) treat a cookie-only request as
// anonymous, also when the path is percent-encoded (`%6epm` is `npm` once the router decodes it).

const PASSWORD = 'correct-horse-battery';

describe('the session cookie on package-client routes', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number };
  let project: { id: number };
  let cookie: string;
  let csrf: string;

  /** status of `path` with the session cookie, and without any credential. */
  const withAndWithout = async (method: string, path: string, body?: string) => {
    const init = (headers: Record<string, string>): RequestInit => ({ method, headers, body });
    const signedIn = await fetch(`${trove.baseUrl}${path}`, init({ cookie, 'x-csrf-token': csrf, 'content-type': 'application/octet-stream' }));
    const anonymous = await fetch(`${trove.baseUrl}${path}`, init({ 'content-type': 'application/octet-stream' }));
    await Promise.all([signedIn.text(), anonymous.text()]);
    return { signedIn: signedIn.status, anonymous: anonymous.status };
  };

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('app', group.id);
    const sam = await world.user('sam');
    await world.addMember('groups', group.id, sam, 40);
    await publishOk(world.root, project.id, 'acme-lib', '1.0.0');
    await world.root.expect(201, 'PUT', `/api/v4/projects/${project.id}/packages/generic/tools/1.0.0/a.txt`, 'hello');
    const res = await fetch(`${trove.baseUrl}/api/v4/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'sam', password: PASSWORD }),
    });
    assert.equal(res.status, 201);
    cookie = res.headers.get('set-cookie')!.split(';')[0];
    csrf = ((await res.json()) as { csrf_token: string }).csrf_token;
  });

  after(async () => {
    await trove?.stop();
  });

  it('still authenticates REST API routes, the packages listing included', async () => {
    for (const path of ['/api/v4/user', `/api/v4/projects/${project.id}/packages`, `/api/v4/groups/${group.id}/packages`]) {
      const { signedIn, anonymous } = await withAndWithout('GET', path);
      assert.equal(signedIn, 200, path);
      assert.notEqual(anonymous, 200, path);
    }
  });

  const reads = (p: number, g: number) => [
    `/api/v4/projects/${p}/packages/npm/acme-lib`,
    `/api/v4/projects/${p}/packages/%6epm/acme-lib`,
    `/api/v4/projects/${p}/packages/%6E%70%6D/acme-lib`,
    `/api/v4/groups/${g}/-/packages/%6epm/acme-lib`,
    `/api/v4/projects/${p}/packages/%70ypi/simple/`,
    `/api/v4/groups/${g}/-/packages/%70ypi/simple/`,
    `/api/v4/projects/${p}/packages/generic/tools/1.0.0/a.txt`,
    `/api/v4/projects/${p}/packages/%67eneric/tools/1.0.0/a.txt`,
    `/api/v4/projects/${p}/%70ackages/generic/tools/1.0.0/a.txt`,
  ];

  it('is no credential on package-client reads, however the path is encoded', async () => {
    for (const path of reads(project.id, group.id)) {
      // HEAD too: Fastify adds a HEAD route beside each GET route.
      for (const method of ['GET', 'HEAD']) {
        const { signedIn, anonymous } = await withAndWithout(method, path);
        assert.ok([401, 404].includes(anonymous), `${method} ${path}: anonymous ${anonymous}`);
        assert.equal(signedIn, anonymous, `${method} ${path}: the cookie must count for nothing`);
      }
    }
  });

  it('publishes nothing through a percent-encoded path with the cookie and its CSRF token', async () => {
    const path = `/api/v4/projects/${project.id}/packages/%67eneric/tools/2.0.0/b.txt`;
    const { signedIn } = await withAndWithout('PUT', path, 'sneaky');
    assert.equal(signedIn, 401);
    const packages = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_type=generic`);
    assert.deepEqual(packages.map((p: any) => p.version), ['1.0.0']);
  });

  it('is no credential at the container registry (/v2/)', async () => {
    for (const [method, path] of [['GET', '/v2/'], ['GET', '/v2/acme/app/tags/list'], ['POST', '/v2/acme/app/blobs/uploads/']]) {
      const { signedIn, anonymous } = await withAndWithout(method!, path!);
      assert.equal(anonymous, 401, `${method} ${path}`);
      assert.equal(signedIn, 401, `${method} ${path}: the cookie must count for nothing`);
    }
  });
});

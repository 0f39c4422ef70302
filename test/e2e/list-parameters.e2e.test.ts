import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDestination, destinationsPath, startStreamingTrove, uploadGeneric } from '../support/streaming.js';
import type { RunningTrove } from '../support/trove-process.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { World } from '../support/world.js';

// Every REST list route declares its query with a JSON Schema (src/http/pagination.ts listQuery),
// so page, per_page, order_by and sort out of range or out of their fixed lists are refused in one
// place with GitLab's 400 {"error": "<name> is invalid"} — never a 500 from the database.

const BAD_PAGING: Array<[string, string]> = [
  ['page', '1e308'],
  ['page', '99999999999999999999'],
  ['page', '0'],
  ['page', '-1'],
  ['page', '1.5'],
  ['page', 'two'],
  ['page', '1000001'],
  ['per_page', '-1'],
  ['per_page', '0'],
  ['per_page', '1e308'],
  ['per_page', '99999999999999999999'],
  ['per_page', 'NaN'],
];
const BAD_ORDERING: Array<[string, string]> = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'size'].flatMap((v) => [['order_by', v], ['sort', v]] as Array<[string, string]>);

describe('list routes: query parameters', () => {
  let trove: RunningTrove;
  let world: World;
  let receiver: WebhookReceiver;
  const lists: string[] = [];
  const sortedLists: string[] = [];
  let packagePath = '';

  before(async () => {
    trove = await startStreamingTrove();
    world = new World(trove);
    receiver = await WebhookReceiver.start();
    const group = await world.group('acme');
    const project = await world.project('app', group.id);
    await uploadGeneric(world.root, project.id, 'tool', '1.0.0');
    const [pkg] = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages`);
    packagePath = `/api/v4/projects/${project.id}/packages/${pkg.id}`;
    const destination = await createDestination(world.root, group.id, { name: 'siem', url: receiver.url });
    sortedLists.push(
      `/api/v4/projects/${project.id}/packages`,
      `/api/v4/groups/${group.id}/packages`,
      `/api/v4/projects/${project.id}/packages/${pkg.id}/versions`,
      '/api/v4/groups',
      '/api/v4/projects',
    );
    lists.push(
      ...sortedLists,
      `/api/v4/projects/${project.id}/packages/${pkg.id}/package_files`,
      `/api/v4/projects/${project.id}/packages/${pkg.id}/dist_tags`,
      `/api/v4/groups/${group.id}/subgroups`,
      `/api/v4/groups/${group.id}/projects`,
      '/api/v4/users',
      `/api/v4/groups/${group.id}/members`,
      `/api/v4/projects/${project.id}/members`,
      '/api/v4/personal_access_tokens',
      `/api/v4/groups/${group.id}/deploy_tokens`,
      `/api/v4/projects/${project.id}/deploy_tokens`,
      '/api/v4/audit_events',
      `/api/v4/groups/${group.id}/audit_events`,
      `/api/v4/projects/${project.id}/audit_events`,
      '/api/v4/audit_events/checkpoints',
      destinationsPath(),
      destinationsPath(group.id),
      `${destinationsPath(group.id)}/${destination.id}/dead_letters`,
      '/api/v4/background_jobs/runs',
    );
  });

  after(async () => {
    await trove?.stop();
    await receiver?.close();
  });

  const get = (path: string, name: string, value: string) => world.root.get(`${path}?${name}=${encodeURIComponent(value)}`);

  it('answers every list with its first page when the parameters are good', async () => {
    for (const path of lists) {
      const res = await world.root.get(`${path}?page=1&per_page=100`);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.equal(res.headers.get('x-per-page'), '100', path);
    }
    for (const path of sortedLists) assert.equal((await world.root.get(`${path}?order_by=name&sort=desc`)).status, 200, path);
  });

  it('sends GitLab\'s pagination headers and exactly Content-Type: application/json on every list', async () => {
    // python-gitlab pages by Link and the X-* headers, and takes a response for JSON only when the
    // header says exactly application/json.
    for (const path of lists) {
      const res = await world.root.get(`${path}?page=1&per_page=1`);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.equal(res.headers.get('content-type'), 'application/json', path);
      for (const header of ['link', 'x-page', 'x-per-page', 'x-next-page', 'x-prev-page', 'x-total', 'x-total-pages']) {
        assert.notEqual(res.headers.get(header), null, `${path} sends ${header}`);
      }
      assert.equal(res.headers.get('x-page'), '1', path);
      assert.equal(res.headers.get('x-per-page'), '1', path);
      assert.equal(res.headers.get('x-prev-page'), '', path);
      const total = Number(res.headers.get('x-total'));
      assert.equal(Number(res.headers.get('x-total-pages')), Math.max(1, total), path);
      assert.equal(res.headers.get('x-next-page'), total > 1 ? '2' : '', path);
      assert.match(res.headers.get('link') ?? '', /rel="first".*rel="last"/, path);
    }
  });

  it('refuses page and per_page that are not positive integers in range, on every list, with 400', async () => {
    for (const path of lists) {
      for (const [name, value] of BAD_PAGING) {
        const res = await get(path, name, value);
        assert.equal(res.status, 400, `${path}?${name}=${value}: ${res.status} ${res.text}`);
        assert.deepEqual(res.body, { error: `${name} is invalid` }, `${path}?${name}=${value}`);
      }
    }
    const runs = '/api/v4/background_jobs/runs';
    for (const value of ['-1', '0', '1e308', '1001']) assert.deepEqual((await get(runs, 'per_page', value)).body, { error: 'per_page is invalid' }, value);
  });

  it('refuses audit filters outside their fixed lists in one place, for listings and exports alike', async () => {
    for (const path of lists.filter((p) => p.endsWith('/audit_events')).flatMap((p) => [p, `${p}/export`])) {
      for (const [name, value] of [['via', 'carrier-pigeon'], ['outcome', 'maybe'], ['token_type', 'password'], ['via', '__proto__']]) {
        assert.deepEqual((await get(path, name, value)).body, { error: `${name} does not have a valid value` }, `${path}?${name}=${value}`);
      }
    }
  });

  it('refuses order_by and sort outside the route\'s fixed list with 400, and no list answers 500 to them', async () => {
    for (const path of sortedLists) {
      for (const [name, value] of BAD_ORDERING) {
        const res = await get(path, name, value);
        assert.equal(res.status, 400, `${path}?${name}=${value}: ${res.status} ${res.text}`);
        assert.deepEqual(res.body, { error: `${name} does not have a valid value` }, `${path}?${name}=${value}`);
      }
    }
    // Lists without an order take no order_by (ignored, as GitLab ignores unknown parameters).
    for (const path of lists.filter((p) => !sortedLists.includes(p))) {
      for (const [name, value] of BAD_ORDERING) assert.equal((await get(path, name, value)).status, 200, `${path}?${name}=${value}`);
    }
  });

  it('declares the queries of the proof routes and the download period too: 400, never 500', async () => {
    const refused = async (path: string, error: RegExp) => {
      const res = await world.root.get(path);
      assert.equal(res.status, 400, `${path}: ${res.status} ${res.text}`);
      assert.match(res.body.error, error, path);
    };
    for (const value of ['1e308', '99999999999999999999', '-1', 'x', '__proto__']) {
      await refused(`/api/v4/audit_events/consistency?first=${value}&second=1`, /^first /);
      await refused(`/api/v4/audit_events/1/proof?tree_size=${value}`, /^tree_size /);
    }
    await refused('/api/v4/audit_events/consistency?first=1', /^second is missing/);
    await refused('/api/v4/audit_events/1/proof?tree_size=0', /^tree_size /);
    for (const path of [packagePath, sortedLists[0]]) {
      await refused(`${path}?downloads_since=${'9'.repeat(100)}`, /^downloads_since /);
      await refused(`${path}?downloads_until=yesterday`, /^downloads_until /);
      assert.equal((await world.root.get(`${path}?downloads_since=2026-01-01T00:00:00Z`)).status, 200, path);
    }
    for (const path of lists.filter((p) => p.endsWith('/audit_events')).flatMap((p) => [p, `${p}/export`])) {
      await refused(`${path}?created_after=${'9'.repeat(100)}`, /^created_after /);
      await refused(`${path}?created_before=soon`, /^created_before /);
    }
  });
});

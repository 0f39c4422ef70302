import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiResponse } from '../support/api.js';
import { allEvents, ids, names, nextLink } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';
import { buildAuditScenario, publishAroundMark } from '../support/audit-scenario.js';

// docs/api.md#audit-events: the filters and both paginations of GET .../audit_events, and single events
// within a view (docs/architecture.md#scope-and-visibility). Every filter is shown to exclude something the unfiltered view has.

describe('audit events API: filters and pagination', () => {
  let trove: RunningTrove;
  let world: World;
  let acme: { id: number; full_path: string };
  let platform: { id: number; full_path: string };
  let other: { id: number; full_path: string };
  let webApp: { id: number };
  let tools: { id: number };
  let svc: { id: number };
  let owner: TestUser;
  let dev: TestUser;
  let devTokenId: number;
  let groupBot: { id: number; token: string };
  let mark: string;
  const acmeEvents = () => `/api/v4/groups/${acme.id}/audit_events`;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    const scenario = await buildAuditScenario(world);
    ({ acme, platform, other, webApp, tools, svc, owner, dev, devTokenId } = scenario);
    ({ groupBot, mark } = await publishAroundMark(world, scenario));
  });

  after(async () => {
    await trove?.stop();
  });

  it('keeps a subgroup project\'s events on the subgroup; include_subgroups shows them in the parent', async () => {
    const own = await allEvents(owner.api, acmeEvents());
    const withSubgroups = await allEvents(owner.api, acmeEvents(), '&include_subgroups=true');
    assert.ok(own.length > 0);
    assert.ok(own.every((e) => e.entity_type === 'Group' && e.entity_id === acme.id));
    assert.ok(!own.some((e) => e.package?.name === '@acme/d'), 'a subgroup event leaked into the parent view');
    const sub = withSubgroups.filter((e) => e.package?.name === '@acme/d');
    assert.ok(sub.length > 0, 'include_subgroups=true must show the subgroup event');
    assert.ok(sub.every((e) => e.entity_id === platform.id && e.details.entity_path === 'acme/platform'));
    assert.deepEqual(withSubgroups.filter((e) => e.entity_id === acme.id), own);
    assert.ok(!withSubgroups.some((e) => e.package?.name === 'other-pkg'), 'another group\'s event leaked');
    const subgroupView = await allEvents(owner.api, `/api/v4/groups/${platform.id}/audit_events`);
    // The subgroup's own events: its packages', and its creation's (group_created, member_added, project_created).
    assert.deepEqual(ids(subgroupView), ids(withSubgroups.filter((e) => e.entity_id === platform.id)));
    assert.deepEqual(ids(subgroupView.filter((e) => e.package?.name === '@acme/d')), ids(sub));
  });

  it('filters by created_after and created_before', async () => {
    const all = await allEvents(owner.api, acmeEvents());
    const afterMark = await allEvents(owner.api, acmeEvents(), `&created_after=${encodeURIComponent(mark)}`);
    const beforeMark = await allEvents(owner.api, acmeEvents(), `&created_before=${encodeURIComponent(mark)}`);
    assert.ok(afterMark.length > 0 && beforeMark.length > 0);
    assert.ok(afterMark.every((e) => e.created_at > mark));
    assert.ok(beforeMark.every((e) => e.created_at < mark));
    assert.deepEqual([...ids(afterMark), ...ids(beforeMark)], ids(all));
    assert.ok(names(afterMark).includes('ci_job_token_issued') && !names(afterMark).includes('deploy_token_created'));
    const window = await allEvents(owner.api, acmeEvents(), `&created_after=${encodeURIComponent(mark)}&created_before=${encodeURIComponent(mark)}`);
    assert.equal(window.length, 0);
    const bad = await owner.api.get(`${acmeEvents()}?created_after=yesterday-ish`);
    assert.equal(bad.status, 400);
  });

  it('filters by one or several event_name values', async () => {
    const all = await allEvents(owner.api, acmeEvents());
    const published = await allEvents(owner.api, acmeEvents(), '&event_name=package_registry_package_published');
    const deploy = await allEvents(owner.api, acmeEvents(), '&event_name=deploy_token_created');
    assert.deepEqual(names(published), ['package_registry_package_published']);
    assert.deepEqual(names(deploy), ['deploy_token_created']);
    const both = await allEvents(owner.api, acmeEvents(), '&event_name=package_registry_package_published&event_name=deploy_token_created');
    assert.deepEqual(names(both), ['deploy_token_created', 'package_registry_package_published']);
    assert.equal(both.length, published.length + deploy.length);
    assert.ok(both.length < all.length);
    const bracketed = await allEvents(owner.api, acmeEvents(), '&event_name[]=package_registry_package_published&event_name[]=deploy_token_created');
    assert.deepEqual(ids(bracketed), ids(both));
  });

  it('filters by author_id and author_username', async () => {
    const all = await allEvents(owner.api, acmeEvents());
    const byId = await allEvents(owner.api, acmeEvents(), `&author_id=${dev.id}`);
    const byName = await allEvents(owner.api, acmeEvents(), '&author_username=dev');
    assert.ok(byId.length > 0 && byId.length < all.length);
    assert.ok(byId.every((e) => e.author_id === dev.id && e.actor.username === 'dev'));
    assert.deepEqual(ids(byName), ids(byId));
    // Deploy tokens have GitLab's pseudo author id -2.
    const byDeployToken = await allEvents(owner.api, acmeEvents(), '&author_id=-2');
    assert.ok(byDeployToken.length > 0);
    assert.ok(byDeployToken.every((e) => e.actor.type === 'deploy_token' && e.package.name === '@acme/b'));
    const bad = await owner.api.get(`${acmeEvents()}?author_id=dev`);
    assert.equal(bad.status, 400);
  });

  it('filters by token_id', async () => {
    const all = await allEvents(owner.api, acmeEvents());
    const byPat = await allEvents(owner.api, acmeEvents(), `&token_id=${devTokenId}`);
    assert.ok(byPat.length > 0 && byPat.length < all.length);
    assert.ok(byPat.every((e) => e.actor.token_id === devTokenId));
    assert.ok(byPat.some((e) => e.event_name === 'package_registry_package_published' && e.package.name === '@acme/a'));
    // Token ids are per credential kind (PAT, deploy, job token): token_type picks the kind.
    const byDeploy = await allEvents(owner.api, acmeEvents(), `&token_id=${groupBot.id}&token_type=deploy_token`);
    assert.ok(byDeploy.length > 0);
    assert.ok(byDeploy.every((e) => e.actor.type === 'deploy_token' && e.actor.token_name === 'group-bot'));
    const anyKind = await allEvents(owner.api, acmeEvents(), `&token_id=${groupBot.id}`);
    assert.ok(anyKind.every((e) => e.actor.token_id === groupBot.id));
    const badType = await owner.api.get(`${acmeEvents()}?token_type=password`);
    assert.equal(badType.status, 400);
  });

  it('filters by package_name and package_format', async () => {
    const all = await allEvents(owner.api, acmeEvents());
    const a = await allEvents(owner.api, acmeEvents(), `&package_name=${encodeURIComponent('@acme/a')}`);
    assert.ok(a.length > 0 && a.length < all.length);
    assert.ok(a.every((e) => e.package.name === '@acme/a'));
    assert.ok(names(a).includes('package_registry_package_published') && names(a).includes('package_registry_package_publish_denied'));
    const npm = await allEvents(owner.api, acmeEvents(), '&package_format=npm');
    assert.ok(npm.length > 0 && npm.every((e) => e.package?.format === 'npm'));
    assert.ok(all.some((e) => e.package === null) && npm.length < all.length, 'events without a package must be excluded');
    assert.equal((await allEvents(owner.api, acmeEvents(), '&package_format=pypi')).length, 0);
  });

  it('refuses a filter that takes one value when it is given twice (400, not a database error), in the list and the export', async () => {
    for (const param of ['package_name', 'package_format', 'author_username']) {
      const twice = `${param}=a&${param}=b`;
      assert.equal((await owner.api.get(`${acmeEvents()}?${twice}`)).status, 400, param);
      assert.equal((await owner.api.get(`${acmeEvents()}/export?format=jsonl&${twice}`)).status, 400, param);
    }
  });

  it('filters by project_id, and the project view shows only that project', async () => {
    const all = await allEvents(owner.api, acmeEvents());
    const inWebApp = await allEvents(owner.api, acmeEvents(), `&project_id=${webApp.id}`);
    assert.ok(inWebApp.length > 0 && inWebApp.length < all.length);
    assert.ok(inWebApp.every((e) => e.project.id === webApp.id));
    assert.ok(!names(inWebApp).includes('deploy_token_created'), 'a group deploy token has no project');
    const projectView = await allEvents(owner.api, `/api/v4/projects/${webApp.id}/audit_events`);
    assert.deepEqual(ids(projectView), ids(inWebApp));
    const instance = await allEvents(world.root, '/api/v4/audit_events', `&project_id=${svc.id}`);
    assert.ok(instance.length > 0 && instance.every((e) => e.project.id === svc.id && e.entity_id === other.id));
  });

  it('filters by via', async () => {
    const all = await allEvents(owner.api, acmeEvents());
    const pipeline = await allEvents(owner.api, acmeEvents(), '&via=pipeline');
    assert.ok(pipeline.length > 0 && pipeline.every((e) => e.via === 'pipeline' && e.actor.type === 'job_token'));
    assert.ok(pipeline.every((e) => e.package.name === '@acme/c' && e.pipeline.id === 7));
    const clients = await allEvents(owner.api, acmeEvents(), '&via=package_client');
    assert.deepEqual([...new Set(clients.map((e) => e.client.name))].sort(), ['npm', 'pnpm']);
    assert.ok(!clients.some((e) => e.package.name === '@acme/c'));
    const viaApi = await allEvents(owner.api, acmeEvents(), '&via=api');
    assert.deepEqual(names(viaApi), ['ci_job_token_issued', 'deploy_token_created', 'group_created', 'member_added', 'project_created']);
    assert.equal(pipeline.length + clients.length + viaApi.length, all.length);
    assert.equal((await owner.api.get(`${acmeEvents()}?via=carrier-pigeon`)).status, 400);
  });

  it('filters by outcome', async () => {
    const all = await allEvents(owner.api, acmeEvents());
    const failures = await allEvents(owner.api, acmeEvents(), '&outcome=failure');
    assert.equal(failures.length, 1);
    assert.equal(failures[0].event_name, 'package_registry_package_publish_denied');
    assert.match(failures[0].reason, /previously published/);
    const successes = await allEvents(owner.api, acmeEvents(), '&outcome=success');
    assert.ok(successes.every((e) => e.outcome === 'success' && e.reason === null));
    assert.equal(successes.length + failures.length, all.length);
    assert.equal((await owner.api.get(`${acmeEvents()}?outcome=maybe`)).status, 400);
  });

  it('pages with page/per_page, GitLab headers and Link, newest first', async () => {
    const all = await allEvents(owner.api, acmeEvents(), '&include_subgroups=true');
    assert.ok(all.length > 10, `need more than 10 events, have ${all.length}`);
    const sorted = ids(all).slice().sort((x, y) => y - x);
    assert.deepEqual(ids(all), sorted, 'newest (highest id) first');
    assert.equal(new Set(ids(all)).size, all.length);

    const totalPages = Math.ceil(all.length / 4);
    const seen: number[] = [];
    let url: string | null = `${trove.baseUrl}${acmeEvents()}?include_subgroups=true&per_page=4`;
    for (let page = 1; url; page++) {
      const res: ApiResponse = await owner.api.get(url.slice(trove.baseUrl.length));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-page'), String(page));
      assert.equal(res.headers.get('x-per-page'), '4');
      assert.equal(res.headers.get('x-total'), String(all.length));
      assert.equal(res.headers.get('x-total-pages'), String(totalPages));
      assert.equal(res.headers.get('x-next-page'), page < totalPages ? String(page + 1) : '');
      const link = res.headers.get('link') ?? '';
      assert.match(link, /rel="first"/);
      assert.match(link, new RegExp(`[?&]page=${totalPages}[^>]*>; rel="last"`));
      assert.match(link, /include_subgroups=true/, 'links keep the filters');
      seen.push(...ids(res.body));
      url = nextLink(link);
      if (page >= totalPages) assert.equal(url, null);
      assert.ok(page <= totalPages, 'Link rel="next" never ends');
    }
    assert.deepEqual(seen, ids(all));

    const beyond = await owner.api.get(`${acmeEvents()}?include_subgroups=true&per_page=4&page=${totalPages + 1}`);
    assert.deepEqual(beyond.body, []);
    assert.equal((await owner.api.get(`${acmeEvents()}?per_page=0`)).status, 400);
    assert.equal((await owner.api.get(`${acmeEvents()}?page=-1`)).status, 400);
  });

  it('caps per_page at 100', async () => {
    for (let i = 0; i < 105; i++) await world.deployToken('groups', other.id, `bulk-${i}`, ['read_package_registry']);
    const res = await world.root.get(`/api/v4/groups/${other.id}/audit_events?per_page=500`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-per-page'), '100');
    assert.equal(res.body.length, 100);
    assert.ok(Number(res.headers.get('x-total')) > 100);
    assert.equal(res.headers.get('x-next-page'), '2');
    const keyset = await world.root.get(`/api/v4/groups/${other.id}/audit_events?pagination=keyset&per_page=500`);
    assert.equal(keyset.body.length, 100);
    assert.ok(nextLink(keyset.headers.get('link')));
  });

  it('pages with pagination=keyset by following Link rel="next"', async () => {
    for (const query of ['&include_subgroups=true', '&event_name=package_registry_package_published&include_subgroups=true']) {
      const all = await allEvents(owner.api, acmeEvents(), query);
      assert.ok(all.length > 3);
      const seen: any[] = [];
      let url: string | null = `${trove.baseUrl}${acmeEvents()}?pagination=keyset&per_page=3${query}`;
      let pages = 0;
      while (url) {
        assert.ok(url.startsWith(trove.baseUrl), url);
        const res: ApiResponse = await owner.api.get(url.slice(trove.baseUrl.length));
        assert.equal(res.status, 200, res.text);
        assert.ok(res.body.length > 0 && res.body.length <= 3);
        seen.push(...res.body);
        url = nextLink(res.headers.get('link'));
        assert.ok(++pages <= all.length, 'Link rel="next" never ends');
      }
      assert.equal(pages, Math.ceil(all.length / 3));
      assert.equal(new Set(ids(seen)).size, seen.length, 'no duplicates');
      assert.deepEqual(ids(seen), ids(all));
      assert.deepEqual(seen, all);
    }
    assert.equal((await owner.api.get(`${acmeEvents()}?pagination=keyset&cursor=not-a-cursor`)).status, 400);
  });

  it('serves one event within the view and 404 outside it', async () => {
    const [published] = await allEvents(owner.api, acmeEvents(), `&package_name=${encodeURIComponent('@acme/a')}&event_name=package_registry_package_published`);
    const one = await owner.api.get(`${acmeEvents()}/${published.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, published);

    const [otherEvent] = await allEvents(world.root, `/api/v4/groups/${other.id}/audit_events`, '&package_name=other-pkg');
    assert.equal((await world.root.get(`/api/v4/groups/${other.id}/audit_events/${otherEvent.id}`)).status, 200);
    const leaked = await world.root.get(`${acmeEvents()}/${otherEvent.id}`);
    assert.equal(leaked.status, 404, 'another group\'s event through this group\'s endpoint');
    assert.equal((await owner.api.get(`${acmeEvents()}/${otherEvent.id}`)).status, 404);

    const [subEvent] = await allEvents(owner.api, `/api/v4/groups/${platform.id}/audit_events`);
    assert.equal((await owner.api.get(`${acmeEvents()}/${subEvent.id}`)).status, 404);
    assert.equal((await owner.api.get(`${acmeEvents()}/${subEvent.id}?include_subgroups=true`)).status, 200);

    assert.equal((await owner.api.get(`/api/v4/projects/${webApp.id}/audit_events/${published.id}`)).status, 200);
    assert.equal((await owner.api.get(`/api/v4/projects/${webApp.id}/audit_events/${subEvent.id}`)).status, 404);
    assert.equal((await world.root.get(`/api/v4/audit_events/${otherEvent.id}`)).body.id, otherEvent.id);
    assert.equal((await owner.api.get(`${acmeEvents()}/999999`)).status, 404);
    assert.equal((await owner.api.get(`${acmeEvents()}/abc`)).status, 404);
  });
});

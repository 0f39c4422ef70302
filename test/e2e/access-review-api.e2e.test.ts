import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { allEvents } from '../support/audit-e2e.js';
import { DAY_MS, EVE_EXPIRES, seedAccessReview, type AccessReviewWorld } from '../support/access-review-scenario.js';

// GET /groups/:id/access_review, its CSV and POST .../completions on a group with a subgroup and
// two projects (test/support/access-review-scenario.ts): each figure checked against the members
// and tokens APIs and the audit log, and owners only: maintainers and developers get a 404.

const WRITE_SCOPES = ['api', 'write_package_registry', 'write_registry'];

describe('access review API', () => {
  let s: AccessReviewWorld;
  let review: any;
  const reviewPath = () => `/api/v4/groups/${s.acme.id}/access_review`;
  const entry = (project: string, username: string) => review.access.find((a: any) => a.project.full_path === project && a.user.username === username);

  before(async () => {
    s = await seedAccessReview();
    review = await s.olga.api.expect(200, 'GET', reviewPath());
  });

  after(async () => {
    await s?.trove.stop();
  });

  it('lists for each project exactly the users and levels of its members/all, and counts them', async () => {
    for (const project of [s.webApp, s.tools]) {
      const members: any[] = await s.olga.api.expect(200, 'GET', `/api/v4/projects/${project.id}/members/all?per_page=100`);
      const expected = Object.fromEntries(members.map((m) => [m.username, m.access_level]));
      const rows = review.access.filter((a: any) => a.project.id === project.id);
      assert.deepEqual(Object.fromEntries(rows.map((a: any) => [a.user.username, a.access_level])), expected, project.path_with_namespace);
    }
    // And each member of a project's group (members/all: inherited too) reaches the project with at least that level.
    for (const [group, project] of [
      [s.acme, s.webApp],
      [s.platform, s.tools],
    ] as const) {
      const groupMembers: any[] = await s.olga.api.expect(200, 'GET', `/api/v4/groups/${group.id}/members/all?per_page=100`);
      assert.ok(groupMembers.length >= 3, group.full_path);
      for (const m of groupMembers) {
        const row = review.access.find((a: any) => a.project.id === project.id && a.user.id === m.id);
        assert.ok(row && row.access_level >= m.access_level, `${m.username} on ${project.path_with_namespace}`);
      }
    }
    assert.deepEqual(review.access.map((a: any) => a.project.full_path).filter((p: string, i: number, all: string[]) => all.indexOf(p) === i), ['acme/platform/tools', 'acme/web-app']);
    assert.equal(review.summary.access_entries, review.access.length);
    assert.equal(review.summary.members, new Set(review.access.map((a: any) => a.user.id)).size);
    assert.equal(review.stale_after_days, 90);
  });

  it('says whether each access is direct or inherited from which group, since when and granted by whom, from the member events', async () => {
    const daveWeb = entry('acme/web-app', 'dave');
    assert.deepEqual([daveWeb.access_level, daveWeb.membership, daveWeb.inherited_from?.full_path], [40, 'inherited', 'acme']);
    // His level today comes from olga's change, not from his addition 120 days ago.
    assert.deepEqual([daveWeb.granted.event_name, daveWeb.granted.granted_by.username, daveWeb.granted.via], ['member_access_level_changed', 'olga', 'api']);
    assert.ok(Date.parse(daveWeb.granted.granted_at) > s.pastEndedAt + 60 * DAY_MS, 'granted today');
    const event = await s.olga.api.expect(200, 'GET', `/api/v4/groups/${s.acme.id}/audit_events/${daveWeb.granted.event_id}`);
    assert.deepEqual([event.event_name, event.details.target_id, event.changes.access_level, event.created_at], ['member_access_level_changed', s.dave.id, { from: 30, to: 40 }, daveWeb.granted.granted_at]);

    const mara = entry('acme/platform/tools', 'mara');
    assert.deepEqual([mara.access_level, mara.membership, mara.inherited_from?.full_path, mara.granted.event_name, mara.granted.granted_by.username], [30, 'inherited', 'acme/platform', 'member_added', 'root']);
    assert.ok(Date.parse(mara.granted.granted_at) < Date.now() - 90 * DAY_MS, 'granted 120 days ago');

    const rita = entry('acme/platform/tools', 'rita');
    assert.deepEqual([rita.access_level, rita.membership, rita.inherited_from, rita.expires_at, rita.granted.granted_by.username], [20, 'direct', null, null, 'root']);
    const eve = entry('acme/web-app', 'eve');
    assert.deepEqual([eve.access_level, eve.membership, eve.expires_at, eve.granted.granted_by.username], [30, 'direct', EVE_EXPIRES, 'olga']);
    const olgaTools = entry('acme/platform/tools', 'olga');
    assert.deepEqual([olgaTools.access_level, olgaTools.inherited_from?.full_path], [50, 'acme']);
    assert.equal(entry('acme/web-app', 'mara'), undefined, 'a subgroup member has no access to the parent group’s project');
  });

  it('lists the credentials that can write: members’ tokens with a write scope, write deploy tokens; stale ones flagged by rule', async () => {
    const writers = [...new Set(review.access.filter((a: any) => a.access_level >= 30).map((a: any) => a.user.id))];
    const expectedTokens: any[] = [];
    for (const userId of writers) {
      const tokens: any[] = await s.world.root.expect(200, 'GET', `/api/v4/personal_access_tokens?user_id=${userId}&per_page=100`);
      expectedTokens.push(...tokens.filter((t) => t.active && t.scopes.some((scope: string) => WRITE_SCOPES.includes(scope))));
    }
    const personal = review.credentials.filter((c: any) => c.kind === 'personal_access_token');
    assert.deepEqual(personal.map((c: any) => c.id).sort(), expectedTokens.map((t) => t.id).sort());
    for (const token of expectedTokens) {
      const listed = personal.find((c: any) => c.id === token.id);
      assert.deepEqual([listed.name, listed.scopes, listed.created_at, listed.last_used_at, listed.expires_at], [token.name, token.scopes, token.created_at, token.last_used_at, token.expires_at]);
    }
    const byName = (name: string) => review.credentials.find((c: any) => c.name === name);
    assert.deepEqual([byName('dave-old-ci').stale, byName('dave-old-ci').stale_reason, byName('dave-old-ci').owner.path], [true, 'unused_90_days', 'dave']);
    assert.ok(Date.parse(byName('dave-old-ci').last_used_at) < Date.now() - 90 * DAY_MS);
    assert.deepEqual([byName('dave-never-used').stale_reason, byName('dave-never-used').last_used_at], ['never_used_90_days', null]);
    assert.deepEqual([byName('eve-token').stale, byName('eve-token').stale_reason], [false, null]);
    assert.equal(byName('olga-token').stale, false, 'used today');
    for (const absent of ['dave-revoked', 'rita-token', 'read-bot']) assert.equal(byName(absent), undefined, `${absent} cannot write packages or push images`);

    const deploy = review.credentials.filter((c: any) => c.kind === 'deploy_token');
    assert.deepEqual(
      deploy.map((c: any) => [c.name, c.owner.type, c.owner.path, c.stale]),
      [
        ['group-bot', 'group', 'acme', false],
        ['image-bot', 'project', 'acme/web-app', false],
        ['tools-bot', 'project', 'acme/platform/tools', false],
      ],
    );
    const [groupBot] = await s.olga.api.expect(200, 'GET', `/api/v4/groups/${s.acme.id}/deploy_tokens`);
    assert.deepEqual([deploy[0].id, deploy[0].scopes, deploy[0].created_at], [groupBot.id, groupBot.scopes, groupBot.created_at]);
    assert.equal(review.summary.credentials, review.credentials.length);
    assert.equal(review.summary.stale_credentials, review.credentials.filter((c: any) => c.stale).length);
  });

  it('gives the same review as CSV, at ?format=csv and at access_review.csv', async () => {
    const csv = await s.olga.api.get(`${reviewPath()}?format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type')!, /^text\/csv/);
    assert.match(csv.headers.get('content-disposition')!, /^attachment; filename="access-review-acme-\d{4}-\d{2}-\d{2}\.csv"$/);
    assert.ok(csv.text.endsWith('\r\n'));
    const alias = await s.olga.api.get(`/api/v4/groups/acme/access_review.csv`);
    assert.equal(alias.text, csv.text);
    const rows: Record<string, string>[] = parseCsv(csv.text, { columns: true });
    const blank = (v: unknown) => (v === null || v === undefined ? '' : String(v));
    assert.deepEqual(
      rows.filter((r) => r.Record === 'access').map((r) => [r.Project, r.User, r['User State'], r['Access Level'], r.Membership, r['Inherited From'], r['Granted At'], r['Grant Event ID'], r['Granted Via'], r['Membership Expires']]),
      review.access.map((a: any) => [
        a.project.full_path,
        a.user.username,
        a.user.state,
        String(a.access_level),
        a.membership,
        blank(a.inherited_from?.full_path),
        a.granted?.granted_at ?? 'unknown',
        blank(a.granted?.event_id),
        blank(a.granted?.via),
        blank(a.expires_at),
      ]),
    );
    assert.deepEqual(
      rows.filter((r) => r.Record === 'credential').map((r) => [r['Credential Kind'], r['Credential ID'], r['Credential Name'], r.Owner, r.Scopes, r['Created At'], r['Expires At'], r['Last Used At'], r.Stale, r['Stale Reason']]),
      review.credentials.map((c: any) => [c.kind, String(c.id), c.name, c.owner.path, c.scopes.join(' '), c.created_at, blank(c.expires_at), blank(c.last_used_at), c.stale ? 'yes' : 'no', blank(c.stale_reason)]),
    );
    const granter = rows.find((r) => r.Record === 'access' && r.User === 'dave' && r.Project === 'acme/web-app')!;
    assert.deepEqual([granter.Role, granter['Granted By']], ['Maintainer', 'olga (token “olga-token”)']);
  });

  it('records a completed review with its counts and note, and shows it as the last completion', async () => {
    const note = 'Q4 review: dave-old-ci to be revoked, "never used" tokens asked about';
    const completion = await s.olga.api.expect(201, 'POST', `${reviewPath()}/completions`, { note });
    assert.deepEqual(
      [completion.note, completion.completed_by.username, completion.members, completion.access_entries, completion.credentials, completion.stale_credentials],
      [note, 'olga', review.summary.members, review.summary.access_entries, review.summary.credentials, review.summary.stale_credentials],
    );
    const again = await s.olga.api.expect(200, 'GET', reviewPath());
    assert.deepEqual(again.last_completion, completion);
    const events = await allEvents(s.olga.api, `/api/v4/groups/${s.acme.id}/audit_events`, '&event_name=access_review_completed');
    assert.equal(events.length, 1);
    const [event] = events;
    assert.deepEqual(
      [event.id, event.entity_type, event.entity_id, event.actor.username, event.details.target_details, event.changes.note.to, event.changes.stale_credentials.to],
      [completion.event_id, 'Group', s.acme.id, 'olga', 'acme', note, review.summary.stale_credentials],
    );
    assert.match(event.details.custom_message, /^Access review of acme completed by olga: /);
  });

  it('answers 404 to anyone but owners and administrators, maintainers and developers included, and records nothing for them', async () => {
    const before = (await allEvents(s.world.root, `/api/v4/groups/${s.acme.id}/audit_events`, '&event_name=access_review_completed')).length;
    for (const [who, api] of [
      ['dave (maintainer)', s.dave.api],
      ['mara (developer of the subgroup)', s.mara.api],
      ['eve (developer of a project)', s.eve.api],
    ] as const) {
      assert.equal((await api.get(reviewPath())).status, 404, who);
      assert.equal((await api.get(`${reviewPath()}?format=csv`)).status, 404, who);
      assert.equal((await api.post(`${reviewPath()}/completions`, { note: 'me too' })).status, 404, who);
    }
    assert.equal((await s.mara.api.get(`/api/v4/groups/${s.platform.id}/access_review`)).status, 404, 'a developer of the subgroup itself');
    assert.equal((await s.world.root.get(reviewPath())).status, 200, 'an administrator');
    assert.equal((await allEvents(s.world.root, `/api/v4/groups/${s.acme.id}/audit_events`, '&event_name=access_review_completed')).length, before);
  });

  it('reviews a subgroup with the members and deploy tokens that reach it from above', async () => {
    const sub = await s.olga.api.expect(200, 'GET', `/api/v4/groups/${encodeURIComponent('acme/platform')}/access_review`);
    assert.deepEqual([...new Set(sub.access.map((a: any) => a.project.full_path))], ['acme/platform/tools']);
    const olga = sub.access.find((a: any) => a.user.username === 'olga');
    assert.deepEqual([olga.membership, olga.inherited_from.full_path], ['inherited', 'acme']);
    assert.deepEqual(sub.credentials.filter((c: any) => c.kind === 'deploy_token').map((c: any) => c.name), ['group-bot', 'tools-bot']);
    assert.equal(sub.last_completion, null, 'acme’s completion is not the subgroup’s');
  });
});

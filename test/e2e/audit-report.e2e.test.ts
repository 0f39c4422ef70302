import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { howLabel } from '../../src/core/audit/report/report-text.js';
import { Api, privateToken } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { buildReportScenario, type ReportScenario } from '../support/audit-report-data.js';
import { waitUntilSealed } from '../support/audit-verify-data.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Audit reports (docs/api.md#audit-reports) of a seeded log, on both backends: the figures of a
// group's report (with its subgroup), of a shorter period, of the group alone and of a project,
// exactly; what a developer and an outsider get; bad periods; the instance's report with a refused
// token; the integrity statement against the signed checkpoint; the printable HTML; and the
// reading of a report recorded as a read of the log.

const PAT_DEV = 'personal access token "dev-token" of dev';
const ROOT = 'personal access token "bootstrap" of root';
const OLGA = 'personal access token "olga-token" of olga';
const JOB = 'CI job 70 of pipeline #7 (acme/web-app, main @ abcdef1) for dev';
const NPM = 'package client (npm 11.6.2)';

const row = (e: any) => [e.event_name, e.actor_label, howLabel(e), e.project, e.target];

describe('audit reports API', () => {
  let trove: RunningTrove;
  let world: World;
  let s: ReportScenario;
  let report: any;
  let policy: string;
  const period = () => `from=${s.from}&to=${s.to}`;
  const groupReport = (api: Api, query: string) => api.get(`/api/v4/groups/${s.acme.id}/audit_reports?${query}`);

  before(async () => {
    trove = await startTrove({ env: { TROVE_AUDIT_SEAL_EVERY_MS: '300' } });
    world = new World(trove);
    s = await buildReportScenario(world);
    policy = `system: Packages cleanup policy #${s.policyId}`;
    await waitUntilSealed(world.root);
    const res = await groupReport(s.owner.api, period());
    assert.equal(res.status, 200, res.text);
    report = res.body;
  });

  after(async () => {
    await trove?.stop();
  });

  it("lists every package change of acme and its subgroup with who, how and what, oldest first", () => {
    assert.deepEqual(report.scope, { kind: 'group', id: s.acme.id, label: 'acme', include_subgroups: true });
    assert.deepEqual(report.period, { from: s.from, to: s.to });
    assert.equal(report.generated_by, 'olga');
    assert.equal(report.visibility, 'all');
    assert.equal(report.package_changes.total, report.package_changes.items.length);
    assert.deepEqual(report.package_changes.items.map(row), [
      ['package_registry_package_published', PAT_DEV, NPM, 'acme/web-app', 'acme/web-app/@acme/a-1.0.0'],
      ['package_registry_package_tag_created', PAT_DEV, NPM, 'acme/web-app', 'acme/web-app/@acme/a@latest'],
      ['package_registry_package_published', 'deploy token "group-bot" of acme', 'package client (pnpm 9.15.4)', 'acme/web-app', 'acme/web-app/@acme/b-1.0.0'],
      ['package_registry_package_tag_created', 'deploy token "group-bot" of acme', 'package client (pnpm 9.15.4)', 'acme/web-app', 'acme/web-app/@acme/b@latest'],
      ['package_registry_package_published', JOB, 'pipeline (#7, main @ abcdef1, npm 11.6.2)', 'acme/web-app', 'acme/web-app/@acme/c-1.0.0'],
      ['package_registry_package_tag_created', JOB, 'pipeline (#7, main @ abcdef1, npm 11.6.2)', 'acme/web-app', 'acme/web-app/@acme/c@latest'],
      ['package_registry_package_published', PAT_DEV, NPM, 'acme/platform/tools', 'acme/platform/tools/@acme/d-2.0.0'],
      ['package_registry_package_tag_created', PAT_DEV, NPM, 'acme/platform/tools', 'acme/platform/tools/@acme/d@latest'],
      ['package_registry_package_published', PAT_DEV, NPM, 'acme/web-app', 'acme/web-app/@acme/a-1.1.0'],
      ['package_registry_package_tag_updated', PAT_DEV, NPM, 'acme/web-app', 'acme/web-app/@acme/a@latest'],
      ['package_registry_package_deleted', policy, 'system', 'acme/web-app', 'acme/web-app/@acme/a-1.0.0'],
      ['package_registry_cleanup_policy_executed', policy, 'system', 'acme/web-app', 'acme/web-app'],
      ['package_registry_package_tag_deleted', 'user olga', 'web UI (node)', 'acme/platform/tools', 'acme/platform/tools/@acme/d@latest'],
      ['package_registry_package_deleted', 'user olga', 'web UI (node)', 'acme/platform/tools', 'acme/platform/tools/@acme/d-2.0.0'],
    ]);
    const times = report.package_changes.items.map((e: any) => e.created_at);
    assert.deepEqual(times, [...times].sort());
    assert.deepEqual(report.package_changes.items[0].package, { format: 'npm', name: '@acme/a', version: '1.0.0' });
  });

  it('lists the denied publish, every access change and every settings change', () => {
    assert.deepEqual(report.denied_attempts.items.map(row), [['package_registry_package_publish_denied', PAT_DEV, NPM, 'acme/web-app', 'acme/web-app/@acme/a@1.0.0']]);
    assert.equal(report.denied_attempts.items[0].outcome, 'failure');
    assert.ok(report.denied_attempts.items[0].reason);
    assert.deepEqual(
      report.access_changes.items.map((e: any) => [e.event_name, e.actor_label, e.target]),
      [
        ['group_created', ROOT, 'acme'],
        ['member_added', ROOT, 'root'],
        ['group_created', ROOT, 'acme/platform'],
        ['member_added', ROOT, 'root'],
        ['project_created', ROOT, 'acme/web-app'],
        ['project_created', ROOT, 'acme/platform/tools'],
        ['member_added', ROOT, 'olga'],
        ['member_added', ROOT, 'dev'],
        ['deploy_token_created', ROOT, 'group-bot'],
        ['ci_job_token_issued', ROOT, 'job 70 of pipeline 7 (main @ abcdef12)'],
        ['member_access_level_changed', OLGA, 'dev'],
      ],
    );
    assert.deepEqual(report.access_changes.items.at(-1).changes.access_level, { from: 30, to: 40 });
    assert.deepEqual(
      report.settings_changes.items.map((e: any) => [e.event_name, e.actor_label, e.project, e.target]),
      [
        ['package_registry_cleanup_policy_updated', OLGA, 'acme/web-app', 'acme/web-app'],
        ['package_registry_audit_settings_updated', OLGA, null, 'acme'],
      ],
    );
    assert.deepEqual(report.settings_changes.items[1].changes.package_download_events, { from: 'inherit', to: 'enabled' });
  });

  it('counts per event type, project, actor kind, actor and way in, and agrees with the events API', async () => {
    const listed = await s.owner.api.get(`/api/v4/groups/${s.acme.id}/audit_events?include_subgroups=true&created_after=${s.from}&created_before=${s.to}&per_page=1`);
    assert.equal(report.summary.events, Number(listed.headers.get('x-total')));
    assert.equal(report.summary.events, 28);
    const byType = Object.fromEntries(report.summary.by_event_type.map((t: any) => [t.event_name, t.count]));
    assert.equal(byType.package_registry_package_published, 5);
    assert.equal(byType.package_registry_package_deleted, 2);
    assert.equal(byType.package_registry_package_publish_denied, 1);
    assert.equal(byType.member_added, 4);
    assert.equal(
      report.summary.by_event_type.reduce((n: number, t: any) => n + t.count, 0),
      28,
    );
    for (const t of report.summary.by_event_type) {
      const one = await s.owner.api.get(`/api/v4/groups/${s.acme.id}/audit_events?include_subgroups=true&created_after=${s.from}&created_before=${s.to}&per_page=1&event_name=${t.event_name}`);
      assert.equal(Number(one.headers.get('x-total')), t.count, t.event_name);
    }
    assert.deepEqual(report.summary.by_project, [
      { project: 'acme/web-app', count: 14 },
      { project: null, count: 9 },
      { project: 'acme/platform/tools', count: 5 },
    ]);
    assert.deepEqual(report.summary.by_actor_kind, [
      { kind: 'personal_access_token', count: 20 },
      { kind: 'deploy_token', count: 2 },
      { kind: 'job_token', count: 2 },
      { kind: 'system', count: 2 },
      { kind: 'user', count: 2 },
    ]);
    assert.deepEqual(report.summary.by_actor, [
      { kind: 'personal_access_token', label: ROOT, count: 10 },
      { kind: 'personal_access_token', label: PAT_DEV, count: 7 },
      { kind: 'personal_access_token', label: OLGA, count: 3 },
      { kind: 'deploy_token', label: 'deploy token "group-bot" of acme', count: 2 },
      { kind: 'job_token', label: 'pipeline #7 of acme/web-app', count: 2 },
      { kind: 'system', label: policy, count: 2 },
      { kind: 'user', label: 'user olga', count: 2 },
    ]);
    assert.deepEqual(report.summary.by_via, [
      { via: 'api', count: 13 },
      { via: 'package_client', count: 9 },
      { via: 'pipeline', count: 2 },
      { via: 'system', count: 2 },
      { via: 'web', count: 2 },
    ]);
  });

  it("states the period's integrity: every event proven against the signed checkpoint, and the key that signed it", async () => {
    const integrity = report.integrity;
    assert.equal(integrity.status, 'verified', integrity.statement);
    assert.equal(integrity.verified_events, 28);
    assert.equal(integrity.unsealed_events, 0);
    const latest = await world.root.expect(200, 'GET', '/api/v4/audit_events/checkpoint');
    const [name, keyId] = latest.public_key.split('+');
    assert.deepEqual(integrity.signing_keys, [`${name}+${keyId}`]);
    assert.equal(integrity.trusted_keys, 'published');
    assert.ok(integrity.checked_against.tree_size >= integrity.last_seq);
    assert.deepEqual(integrity.checked_against.verified_keys, [`${name}+${keyId}`]);
    assert.ok(integrity.sealing_checkpoint.tree_size >= integrity.last_seq && integrity.sealing_checkpoint.tree_size <= integrity.checked_against.tree_size);
    const pages = await world.root.expect(200, 'GET', '/api/v4/audit_events/checkpoints?per_page=100');
    const inPeriod = pages.filter((cp: any) => cp.created_at >= s.from && cp.created_at < s.to);
    assert.equal(integrity.checkpoints_total, inPeriod.length);
    assert.deepEqual(integrity.checkpoints.map((cp: any) => cp.tree_size), inPeriod.map((cp: any) => cp.tree_size).sort((a: number, b: number) => a - b));
    assert.match(integrity.statement, /^All 28 events verified/);
  });

  it('records the reading as a read of the audit log, which the report itself does not contain', async () => {
    const read = await latestEvent(s.owner.api, `/api/v4/groups/${s.acme.id}/audit_events`, 'audit_events_exported');
    assert.equal(read.actor.username, 'olga');
    assert.equal(read.changes.format.to, 'report');
    assert.deepEqual(read.changes.period.to, { from: s.from, to: s.to });
    const again = (await groupReport(s.owner.api, `from=${s.from}&to=${new Date(Date.now() + 60_000).toISOString()}`)).body;
    const reads = again.summary.by_event_type.find((t: any) => t.event_name === 'audit_events_exported');
    assert.ok(reads.count >= 1);
    const mine = await latestEvent(s.owner.api, `/api/v4/groups/${s.acme.id}/audit_events`, 'audit_events_exported');
    assert.ok(mine.id > again.integrity.last_seq, 'the reading of a report comes after its last event');
  });

  it('covers a shorter period [from, to) exactly, the group alone, and a project', async () => {
    const later = (await groupReport(s.owner.api, `from=${s.mark}&to=${s.to}`)).body;
    assert.deepEqual(later.package_changes.items.slice(0, 1).map(row), [
      ['package_registry_package_published', JOB, 'pipeline (#7, main @ abcdef1, npm 11.6.2)', 'acme/web-app', 'acme/web-app/@acme/c-1.0.0'],
    ]);
    assert.equal(later.package_changes.total, 10);
    // to is excluded: a period ending at the first publish's instant leaves it out.
    const first = report.package_changes.items[0].created_at;
    const before = (await groupReport(s.owner.api, `from=${s.from}&to=${first}`)).body;
    assert.equal(before.package_changes.total, 0);
    const alone = (await groupReport(s.owner.api, `${period()}&include_subgroups=false`)).body;
    assert.equal(alone.scope.include_subgroups, false);
    assert.ok(alone.package_changes.items.every((e: any) => e.project === 'acme/web-app'));
    assert.equal(alone.package_changes.total, 10);
    const project = await s.owner.api.expect(200, 'GET', `/api/v4/projects/${s.webApp.id}/audit_reports?${period()}`);
    assert.deepEqual(project.scope, { kind: 'project', id: s.webApp.id, label: 'acme/web-app', include_subgroups: false });
    assert.deepEqual(project.summary.by_project, [{ project: 'acme/web-app', count: 14 }]);
    assert.equal(project.integrity.status, 'verified');
  });

  it('shows a developer only their own actions, and hides the group from others', async () => {
    const mine = (await groupReport(s.dev.api, period())).body;
    assert.equal(mine.visibility, 'own_actions');
    assert.deepEqual(
      mine.summary.by_actor.map((a: any) => a.label),
      [PAT_DEV, 'pipeline #7 of acme/web-app'],
    );
    assert.equal(mine.denied_attempts.total, 1);
    const outsider = await world.user('nick');
    const hidden = await groupReport(outsider.api, period());
    assert.equal(hidden.status, 404, hidden.text);
    // Existence does not leak through the period check either (a malformed time is the schema's 400 for any group).
    assert.equal((await groupReport(outsider.api, `from=${s.to}&to=${s.from}`)).status, 404);
    assert.equal((await outsider.api.get(`/api/v4/groups/999999/audit_reports?from=${s.to}&to=${s.from}`)).status, 404);
    assert.equal((await s.owner.api.get(`/api/v4/audit_reports?${period()}`)).status, 403);
  });

  it('refuses a bad period with 400', async () => {
    const cases = [
      ['', 'from is missing'],
      [`from=${s.from}`, 'to is missing'],
      [`from=${s.to}&to=${s.from}`, 'from must be before to'],
      [`from=${s.from}&to=${s.from}`, 'from must be before to'],
      ['from=2026-02-30&to=2026-03-01', null],
      ['from=yesterday&to=2026-03-01', null],
    ] as const;
    for (const [query, message] of cases) {
      const res = await groupReport(s.owner.api, query);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.equal(typeof res.body.message === 'string' || typeof res.body.error === 'string', true, res.text);
      if (message) assert.match(res.text, new RegExp(message));
    }
  });

  it("gives administrators the instance's report, with refused tokens among the denied attempts", async () => {
    const start = new Date().toISOString();
    const refused = await new Api(trove.baseUrl, privateToken('glpat-not-a-real-token')).get('/api/v4/user');
    assert.equal(refused.status, 401);
    const end = new Date(Date.now() + 1000).toISOString();
    const instance = await world.root.expect(200, 'GET', `/api/v4/audit_reports?from=${start}&to=${end}`);
    assert.equal(instance.scope.kind, 'instance');
    assert.deepEqual(instance.denied_attempts.items.map((e: any) => [e.event_name, e.actor.type]), [['authentication_failed', 'anonymous']]);
    const whole = await world.root.expect(200, 'GET', `/api/v4/audit_reports?${period()}`);
    assert.ok(whole.summary.events > report.summary.events, 'the instance sees every group and the accounts');
    assert.ok(whole.summary.by_project.some((p: any) => p.project === 'other/svc'));
  });

  it('serves the printable HTML: one document, no script, every section, values escaped', async () => {
    const res = await groupReport(s.owner.api, `${period()}&format=html`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="audit-report-acme-/);
    assert.doesNotMatch(res.text, /<script|<link|src=/i);
    for (const title of ['Summary', 'Package changes', 'Denied attempts', 'Access changes', 'Settings changes', 'Log integrity']) {
      assert.match(res.text, new RegExp(`<h2>${title}</h2>`));
    }
    assert.ok(res.text.includes('deploy token &quot;group-bot&quot; of acme'));
  });
});

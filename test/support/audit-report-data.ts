import { Api } from './api.js';
import { publishOk, sleep } from './audit-e2e.js';
import { buildAuditScenario, publishAroundMark, type AuditScenario } from './audit-scenario.js';
import { webSession } from './web-session.js';
import type { World } from './world.js';

// The audit log the report tests read (audit-scenario.ts, then more): publishes by a personal
// access token, a deploy token, a CI job token; a refused duplicate; a second version that the
// project's cleanup policy then deletes (the system actor); a member's level raised and a
// registry setting changed through the API; a version deleted by the owner in the web UI. All
// inside [from, to), a period that ends before anything the tests do afterwards (reading reports).

export interface ReportScenario extends AuditScenario {
  from: string;
  mark: string;
  to: string;
  policyId: number;
}

export async function buildReportScenario(world: World): Promise<ReportScenario> {
  const from = new Date().toISOString();
  await sleep(5);
  const s = await buildAuditScenario(world);
  const { mark } = await publishAroundMark(world, s);
  await publishOk(s.dev.api, s.webApp.id, '@acme/a', '1.1.0');
  const policy = `/api/v4/projects/${s.webApp.id}/packages/cleanup_policy`;
  const saved = await s.owner.api.expect(200, 'PUT', policy, { keep_n_versions: 1, older_than_days: 0 });
  await s.owner.api.expect(200, 'POST', `${policy}/run`);
  await s.owner.api.expect(200, 'PUT', `/api/v4/groups/${s.acme.id}/members/${s.dev.id}`, { access_level: 40 });
  await s.owner.api.expect(200, 'PUT', `/api/v4/groups/${s.acme.id}/packages/settings`, { package_download_events: 'enabled' });
  const [cli] = await s.owner.api.expect(200, 'GET', `/api/v4/projects/${s.tools.id}/packages`);
  const inBrowser: Api = await webSession(world.trove, s.owner.username);
  await inBrowser.expect(204, 'DELETE', `/api/v4/projects/${s.tools.id}/packages/${cli.id}`);
  await sleep(5);
  return { ...s, from, mark, to: new Date().toISOString(), policyId: saved.id };
}

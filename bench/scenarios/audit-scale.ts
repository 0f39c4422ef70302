import { join } from 'node:path';
import { Api, privateToken } from '../../test/support/api.js';
import { nextLink } from '../../test/support/audit-e2e.js';
import { withTempDir } from '../../test/support/temp-dir.js';
import { startTrove, REPO_ROOT } from '../../test/support/trove-process.js';
import { World } from '../../test/support/world.js';
import type { GenerateJob } from '../audit-generate.js';
import type { BenchConfig } from '../config.js';
import { atLeast, atMost, figure, median, percentile, type Figure } from '../figures.js';
import { run, sampleRss } from '../processes.js';
import { exportRate, verifySeconds, waitUntilSealed } from './audit-scale-export.js';

// The audit log at scale: N events written through the real recorder into a fresh database,
// then Trove started on it for the listing and export figures (targets on Trove's own values).

const GROUPS = 4;
const PROJECTS_PER_GROUP = 3;
const ACTORS = 6;
export const DAYS = 90;
const PER_PAGE = 20;
export const ENV = { TROVE_DATABASE_URL: '', TROVE_LOG_LEVEL: 'warn' };

async function timeGet(api: Api, path: string): Promise<number> {
  const started = performance.now();
  const res = await api.get(path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
  return performance.now() - started;
}

async function samples(times: number, measure: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(await measure());
  return out;
}

/** Groups, projects and users made through the API of a first Trove start on the data folder. */
export async function makeAccounts(dataDir: string, rootToken: string): Promise<Omit<GenerateJob, 'databaseFile' | 'events' | 'startMs' | 'endMs'>> {
  const trove = await startTrove({ dataDir, env: { ...ENV, TROVE_ROOT_TOKEN: rootToken } });
  try {
    const world = new World(trove);
    const groups: GenerateJob['groups'] = [];
    for (let g = 0; g < GROUPS; g++) {
      const group = await world.group(`team-${g}`);
      const projects = [];
      for (let p = 0; p < PROJECTS_PER_GROUP; p++) {
        const project = await world.project(`service-${p}`, group.id);
        projects.push({ id: project.id, full_path: project.path_with_namespace });
      }
      groups.push({ id: group.id, path: group.full_path, projects });
    }
    const actors: GenerateJob['actors'] = [];
    for (let a = 0; a < ACTORS; a++) {
      const user = await world.user(`dev-${a}`);
      const token = await world.token(user, `dev-${a}-ci`, ['api']);
      actors.push({ id: user.id, username: user.username, tokenId: token.id });
    }
    return { groups, actors };
  } finally {
    await trove.stop();
  }
}

/** The figures, in a data folder removed afterwards (the database of 1M events is 2.3 GB). */
export function auditScale(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  return withTempDir('trove-bench-audit-', (dir) => auditScaleIn(join(dir, 'data'), config, log));
}

async function auditScaleIn(dataDir: string, config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  const rootToken = 'glpat-bench-root-abcdefghijklmnopqrst';
  const accounts = await makeAccounts(dataDir, rootToken);
  const endMs = Date.now();
  const job: GenerateJob = { databaseFile: join(dataDir, 'trove.db'), events: config.auditEvents, startMs: endMs - DAYS * 86_400_000, endMs, ...accounts };
  const generated = JSON.parse(await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'audit-generate.ts'), JSON.stringify(job)])) as { seconds: number };
  log(`${config.auditEvents} events written through AuditLog.recordBatch in ${generated.seconds.toFixed(1)} s`);

  const trove = await startTrove({ dataDir, env: { ...ENV, TROVE_ROOT_TOKEN: rootToken } });
  const figures: Figure[] = [];
  try {
    // The generator wrote the events without a server, so the sealer starts with all of them to
    // hash into checkpoints. A running Trove seals as events come (every 1000 or so): measure that
    // steady state, not the CPU of a one-off million-event backlog shared with the requests.
    log('waiting for the sealer to catch up');
    await waitUntilSealed(trove.baseUrl, rootToken, config.auditEvents, config.mode === 'full' ? 900_000 : 120_000);
    const api = new Api(trove.baseUrl, privateToken(rootToken));
    const group = accounts.groups[0];
    const list = `/api/v4/groups/${group.id}/audit_events?pagination=keyset&per_page=${PER_PAGE}`;
    const reps = config.mode === 'full' ? 200 : 30;
    await samples(5, () => timeGet(api, list)); // warm-up
    const first = await samples(reps, () => timeGet(api, list));

    // Page N by keyset: follow rel="next" to it once, then time that page's URL repeatedly.
    const perGroup = config.auditEvents / GROUPS;
    const targetPage = Math.max(2, Math.min(1000, Math.floor(perGroup / PER_PAGE) - 1));
    let url = `${trove.baseUrl}${list}`;
    for (let page = 1; page < targetPage; page++) {
      const res = await fetch(url, { headers: privateToken(rootToken) });
      await res.arrayBuffer();
      const next = nextLink(res.headers.get('link'));
      if (!next) throw new Error(`keyset listing ended at page ${page}`);
      url = next;
    }
    const pageN = await samples(reps, () => timeGet(api, url.slice(trove.baseUrl.length)));

    // Filtered: one event name, one package, a 10-day window in the middle of the 90 days.
    const from = new Date(job.startMs + 40 * 86_400_000).toISOString();
    const to = new Date(job.startMs + 50 * 86_400_000).toISOString();
    const filtered = `${list}&event_name=package_registry_package_published&package_name=pkg-7&created_after=${from}&created_before=${to}`;
    const filteredTimes = await samples(reps, () => timeGet(api, filtered));

    figures.push(
      figure(`audit ${config.auditEvents} events: group listing page 1, p50`, 'ms', median(first), null, null),
      figure(`audit ${config.auditEvents} events: group listing page 1, p95`, 'ms', percentile(first, 95), null, atMost(20, 'value')),
      figure(`audit ${config.auditEvents} events: group listing page ${targetPage} (keyset), p50`, 'ms', median(pageN), null, null),
      figure(`audit ${config.auditEvents} events: group listing page ${targetPage} (keyset), p95`, 'ms', percentile(pageN, 95), null, atMost(20, 'value')),
      figure(`audit ${config.auditEvents} events: filtered listing (name+package+dates), p95`, 'ms', percentile(filteredTimes, 95), null, atMost(20, 'value')),
    );
    log('exports');
    for (const format of ['csv', 'jsonl'] as const) {
      const sampler = sampleRss(trove.process.pid!, 20);
      const result = await exportRate(trove.baseUrl, rootToken, format);
      const peak = sampler.stop() / 2 ** 20;
      figures.push(
        figure(`audit export ${format} (instance, ${result.events} events)`, 'events/s', result.eventsPerSecond, null, atLeast(100_000, 'value')),
        figure(`audit export ${format}: peak RSS of the server`, 'MB', peak, null, atMost(200, 'value')),
      );
    }
  } finally {
    await trove.stop();
  }
  const verify = await verifySeconds(dataDir);
  figures.push(figure(`trove audit verify (live, ${config.auditEvents} events)`, 's', verify, null, null));
  return figures;
}

import type { Api } from './api.js';
import { startTrove, type RunningTrove } from './trove-process.js';

// Shared by the audit streaming end-to-end tests (test/e2e/audit-streaming-*.e2e.test.ts).

/**
 * Loopback receivers allowed, fast retries, short timeouts and lease: a Trove for streaming tests.
 * No sealing: each checkpoint is queued for every destination, so one sealed while a test runs
 * (every 10 s by default, likelier on a busy machine) would change the backlogs and deliveries it
 * counts. The checkpoint mirror tests turn sealing back on.
 */
export const STREAMING_ENV: Record<string, string> = {
  TROVE_AUDIT_SEAL_EVERY_MS: '86400000',
  TROVE_AUDIT_SEAL_EVERY_EVENTS: '10000000',
  TROVE_STREAMING_ALLOW_PRIVATE: '1',
  TROVE_STREAMING_RETRY_SCHEDULE_MS: '20,40,80',
  TROVE_STREAMING_TIMEOUT_MS: '1000',
  TROVE_STREAMING_POLL_MS: '100',
  TROVE_JOB_LEASE_SECONDS: '2',
};

export function startStreamingTrove(env: Record<string, string> = {}): Promise<RunningTrove> {
  return startTrove({ env: { ...STREAMING_ENV, ...env } });
}

/** SIGKILL, then the same data (folder or PostgreSQL database) in a new process. */
export async function killAndRestart(trove: RunningTrove, env: Record<string, string> = {}): Promise<RunningTrove> {
  const exited = new Promise((resolve) => trove.process.once('exit', resolve));
  trove.process.kill('SIGKILL');
  await exited;
  return startTrove({
    dataDir: trove.dataDir,
    env: { ...STREAMING_ENV, ...env, TROVE_ROOT_TOKEN: trove.rootToken, ...(trove.databaseUrl ? { TROVE_DATABASE_URL: trove.databaseUrl } : {}) },
  });
}

export function destinationsPath(groupId?: number): string {
  return groupId === undefined ? '/api/v4/audit_events/streaming/destinations' : `/api/v4/groups/${groupId}/audit_events/streaming/destinations`;
}

export async function createDestination(api: Api, groupId: number | undefined, body: Record<string, unknown>): Promise<any> {
  return api.expect(201, 'POST', destinationsPath(groupId), body);
}

/** One audited change that costs one small transaction: toggling a group's download-events setting. */
export async function toggleSetting(api: Api, groupId: number, i: number): Promise<void> {
  await api.expect(200, 'PUT', `/api/v4/groups/${groupId}/packages/settings`, { package_download_events: i % 2 === 0 ? 'enabled' : 'disabled' });
}

/** A generic package upload (a package_registry_package_published event). */
export async function uploadGeneric(api: Api, projectId: number, name: string, version: string): Promise<void> {
  const res = await api.request('PUT', `/api/v4/projects/${projectId}/packages/generic/${name}/${version}/${name}.txt`, `content of ${name} ${version}`, {
    'content-type': 'text/plain',
  });
  if (res.status !== 201) throw new Error(`upload ${name}@${version}: ${res.status} ${res.text}`);
}

/** The highest seq in the instance log. */
export async function lastSeq(root: Api): Promise<number> {
  const res = await root.expect(200, 'GET', '/api/v4/audit_events?per_page=1');
  return res[0]?.seq ?? 0;
}

/** Every event (instance view, or a group's subtree) with seq > `after`, oldest first. */
export async function eventsAfter(root: Api, after: number, groupId?: number): Promise<any[]> {
  const base = groupId === undefined ? '/api/v4/audit_events' : `/api/v4/groups/${groupId}/audit_events`;
  const out: any[] = [];
  for (let page = 1; ; page++) {
    const res = await root.get(`${base}?per_page=100&page=${page}${groupId === undefined ? '' : '&include_subgroups=true'}`);
    if (res.status !== 200) throw new Error(`GET ${base}: ${res.text}`);
    const fresh = (res.body as any[]).filter((e) => e.seq > after);
    out.push(...fresh);
    if (fresh.length < res.body.length || !res.headers.get('x-next-page')) break;
  }
  return out.sort((a, b) => a.seq - b.seq);
}

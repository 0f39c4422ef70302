import assert from 'node:assert/strict';
import pg from 'pg';
import type { Api } from './api.js';
import { curl } from './generic-curl.js';
import { makePackage, type NpmClient } from './npm-client.js';

// Helpers for test/e2e/scale-out.e2e.test.ts: publishers that record what the client saw, the
// whole audit log and package list read back through the API, and direct PostgreSQL reads.

export type CredentialKind = 'pat' | 'deploy' | 'job';
export interface Credential {
  kind: CredentialKind;
  token: string;
}

/** The header curl sends each kind of credential in (GitLab's names). */
const CURL_HEADER: Record<CredentialKind, string> = { pat: 'PRIVATE-TOKEN', deploy: 'Deploy-Token', job: 'JOB-TOKEN' };

/** One publish as its client saw it. */
export interface Attempt {
  target: string;
  kind: 'npm' | 'generic' | 'raw';
  name: string;
  version: string;
  ok: boolean;
  startedAt: number;
  detail: string;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** The real `npm publish` of a fresh package folder; ok = exit code 0. */
export async function npmAttempt(client: NpmClient, target: string, name: string, version: string): Promise<Attempt> {
  const startedAt = Date.now();
  const result = await client.npm(['publish'], makePackage(name, version));
  return { target, kind: 'npm', name, version, ok: result.code === 0, startedAt, detail: `exit ${result.code}: ${result.stderr.slice(-400)}` };
}

/** The real `curl --upload-file` of a generic package file; ok = curl exit 0 and 201. */
export async function genericAttempt(baseUrl: string, projectId: number, cred: Credential, target: string, name: string, version: string, file: string): Promise<Attempt> {
  const startedAt = Date.now();
  const url = `${baseUrl}/api/v4/projects/${projectId}/packages/generic/${name}/${version}/${name}.bin`;
  const result = await curl(['--fail-with-body', '-H', `${CURL_HEADER[cred.kind]}: ${cred.token}`, '--upload-file', file, url]);
  const ok = result.code === 0 && result.status === 201;
  return { target, kind: 'generic', name, version, ok, startedAt, detail: `curl exit ${result.code}, HTTP ${result.status}: ${result.body} ${result.stderr}` };
}

/** An npm publish request sent with fetch (body from npm-publish-body.ts), for volume. */
export async function rawAttempt(baseUrl: string, projectId: number, token: string, target: string, name: string, version: string, body: string): Promise<Attempt> {
  const startedAt = Date.now();
  try {
    const res = await fetch(`${baseUrl}/api/v4/projects/${projectId}/packages/npm/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'PRIVATE-TOKEN': token, 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    return { target, kind: 'raw', name, version, ok: res.ok, startedAt, detail: `HTTP ${res.status}: ${text.slice(0, 300)}` };
  } catch (error) {
    return { target, kind: 'raw', name, version, ok: false, startedAt, detail: String((error as Error).cause ?? error) };
  }
}

/** Every package of a project (GitLab paging), sorted by id. */
export async function allPackages(api: Api, projectId: number): Promise<any[]> {
  const out: any[] = [];
  for (let page = 1; ; page++) {
    const res = await api.get(`/api/v4/projects/${projectId}/packages?per_page=100&page=${page}`);
    assert.equal(res.status, 200, res.text);
    out.push(...res.body);
    if (!res.headers.get('x-next-page')) return out.sort((x, y) => x.id - y.id);
  }
}

/** The whole instance audit log, newest first, walked with keyset pagination (Link rel="next"). */
export async function allEvents(root: Api): Promise<any[]> {
  const out: any[] = [];
  let url = `${root.baseUrl}/api/v4/audit_events?pagination=keyset&per_page=100`;
  for (;;) {
    const res = await fetch(url, { headers: root.auth });
    assert.equal(res.status, 200, `GET ${url}: ${await res.clone().text()}`);
    out.push(...((await res.json()) as any[]));
    const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '');
    if (!next) return out;
    url = next[1];
  }
}

/** seq is exactly 1..N (no gap, no duplicate), id equals seq, and the listing is strictly newest first. */
export function assertContiguous(events: any[]): void {
  for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].id > events[i].id, `keyset listing not strictly descending at ${events[i].id}`);
  const seqs = events.map((e) => e.seq).sort((x, y) => x - y);
  const bad = seqs.findIndex((seq, i) => seq !== i + 1);
  assert.equal(bad, -1, `seq is not 1..${seqs.length}: position ${bad + 1} holds ${seqs[bad]} (neighbours ${seqs.slice(Math.max(0, bad - 2), bad + 3).join(',')})`);
  const idNotSeq = events.find((e) => e.id !== e.seq);
  assert.equal(idNotSeq, undefined, `event id ${idNotSeq?.id} has seq ${idNotSeq?.seq}`);
}

/** Each listed package has exactly one successful published event naming it, and each such event of the project names a listed package. */
export function assertOneEventPerPackage(packages: any[], events: any[], projectId: number): void {
  const published = events.filter((e) => e.event_name === 'package_registry_package_published' && e.outcome === 'success' && e.project?.id === projectId);
  const byPackage = new Map<number, any[]>();
  for (const event of published) byPackage.set(event.package.id, [...(byPackage.get(event.package.id) ?? []), event]);
  for (const p of packages) {
    const mine = byPackage.get(p.id) ?? [];
    assert.equal(mine.length, 1, `${p.name}@${p.version} (package ${p.id}) has ${mine.length} published events`);
    assert.deepEqual([mine[0].package.name, mine[0].package.version], [p.name, p.version]);
  }
  const listed = new Set(packages.map((p) => p.id));
  const orphans = published.filter((e) => !listed.has(e.package.id)).map((e) => `${e.package.name}@${e.package.version}`);
  assert.deepEqual(orphans, [], 'published events whose package does not exist');
}

export async function pgRows(databaseUrl: string, text: string): Promise<any[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

export const jobsView = (root: Api): Promise<any> => root.expect(200, 'GET', '/api/v4/background_jobs');
export const jobRuns = (root: Api, name: string): Promise<any[]> => root.expect(200, 'GET', `/api/v4/background_jobs/runs?name=${name}&per_page=1000`);

/**
 * After a kill: polls the survivor until it leads and has started a run of `job` after `since`.
 * Returns when each was first seen (ms since `since`); gives up at `since + limitMs`.
 */
export async function watchTakeover(root: Api, job: string, holder: string, since: number, limitMs: number): Promise<{ leaderMs: number | null; firstRunMs: number | null }> {
  let leaderMs: number | null = null;
  while (Date.now() < since + limitMs) {
    const view = await jobsView(root);
    if (leaderMs === null && view.leader?.holder === holder) leaderMs = Date.now() - since;
    const mine = (await jobRuns(root, job)).filter((r) => r.holder === holder && Date.parse(r.started_at) > since);
    if (leaderMs !== null && mine.length > 0) return { leaderMs, firstRunMs: Math.min(...mine.map((r) => Date.parse(r.started_at))) - since };
    await sleep(200);
  }
  return { leaderMs, firstRunMs: null };
}

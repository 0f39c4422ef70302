import assert from 'node:assert/strict';
import type { Api, ApiResponse } from './api.js';
import { packageTarball, publishBody } from './npm-publish-body.js';

// Helpers for the audit API end-to-end tests: raw npm publishes with a chosen User-Agent,
// and reading a whole event listing.

export const NPM_UA = 'npm/11.6.2 node/v20.19.5 linux x64 workspaces/false';

/** PUTs the body `npm publish` sends, as `api`'s credential, with the given User-Agent. */
export async function publishRaw(api: Api, projectId: number, name: string, version: string, userAgent = NPM_UA): Promise<ApiResponse> {
  const tarball = await packageTarball(name, version);
  const path = `/api/v4/projects/${projectId}/packages/npm/${name.replace('/', '%2f')}`;
  return api.request('PUT', path, publishBody(name, version, tarball), { 'user-agent': userAgent });
}

/** Like publishRaw, but fails unless the registry accepted the publish. */
export async function publishOk(api: Api, projectId: number, name: string, version: string, userAgent = NPM_UA): Promise<void> {
  const res = await publishRaw(api, projectId, name, version, userAgent);
  assert.equal(res.status, 200, `publish ${name}@${version}: ${res.status} ${res.text}`);
}

/** Every event of a listing (offset pages of 100), newest first. `query` starts with '&' or is empty. */
export async function allEvents(api: Api, listPath: string, query = ''): Promise<any[]> {
  const events: any[] = [];
  for (let page = 1; ; page++) {
    const res = await api.get(`${listPath}?per_page=100&page=${page}${query}`);
    assert.equal(res.status, 200, `GET ${listPath}: ${res.text}`);
    events.push(...res.body);
    if (!res.headers.get('x-next-page')) return events;
  }
}

/** The URL of rel="next" in a Link header, or null. */
export function nextLink(link: string | null): string | null {
  if (!link) return null;
  const match = /<([^>]+)>;\s*rel="next"/.exec(link);
  return match ? match[1] : null;
}

export const ids = (events: any[]) => events.map((e) => e.id as number);
export const names = (events: any[]) => [...new Set(events.map((e) => e.event_name as string))].sort();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The records of a JSONL export, without the header line a filtered export starts with ({"audit_export": ...}). */
export function jsonlRecords(text: string): any[] {
  const parsed = text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line));
  return parsed.length > 0 && 'audit_export' in parsed[0] ? parsed.slice(1) : parsed;
}

/**
 * Download events are written in batches: waits until a listing holds `count` events named
 * `eventName` (failing if it holds another number after 15 s), and returns them newest first.
 */
export async function eventsOnceWritten(api: Api, listPath: string, eventName: string, count: number): Promise<any[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = await allEvents(api, listPath, `&event_name=${eventName}`);
    if (found.length >= count || Date.now() > deadline) {
      assert.equal(found.length, count);
      return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

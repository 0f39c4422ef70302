import assert from 'node:assert/strict';
import { hostname, userInfo } from 'node:os';
import type { Api } from './api.js';

/** The newest audit event with this name in a listing (group, project or instance), failing if there is none. */
export async function latestEvent(api: Api, listPath: string, eventName: string, extraQuery = ''): Promise<any> {
  const res = await api.get(`${listPath}?event_name=${eventName}&per_page=1${extraQuery}`);
  assert.equal(res.status, 200, `GET ${listPath}: ${res.text}`);
  assert.ok(Array.isArray(res.body) && res.body.length > 0, `no ${eventName} event in ${listPath}`);
  return res.body[0];
}

export async function eventCount(api: Api, listPath: string, query = ''): Promise<number> {
  const res = await api.get(`${listPath}?per_page=1${query}`);
  assert.equal(res.status, 200, `GET ${listPath}: ${res.text}`);
  return Number(res.headers.get('x-total'));
}

/** The system actor of changes made with the `trove` CLI run by this test's OS user on this machine. */
export const CLI_ACTOR_NAME = `trove CLI as ${userInfo().username}@${hostname()}`;

import assert from 'node:assert/strict';
import { Api } from './api.js';
import type { RunningTrove } from './trove-process.js';

/** A REST client with a web UI session (cookie and CSRF token), as the browser UI makes its calls. */
export async function webSession(trove: RunningTrove, login: string, password = 'correct-horse-battery'): Promise<Api> {
  const res = await fetch(`${trove.baseUrl}/api/v4/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  assert.equal(res.status, 201);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { csrf_token } = (await res.json()) as { csrf_token: string };
  return new Api(trove.baseUrl, { cookie, 'x-csrf-token': csrf_token, 'x-trove-web': '1' });
}

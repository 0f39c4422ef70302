import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, privateToken } from '../support/api.js';
import { openFaultInjector } from '../support/fault-injection.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';

// authentication_failed cannot flood the log (docs/architecture.md#what-is-recorded): failures with the same credential prefix
// (glpat- and four characters, never more of the secret), IP address and reason within a minute
// are one window. Its first failure is recorded at once, the repeats as one event with `count`
// when the window ends, or when Trove shuts down gracefully (nothing counted is lost).

const FLOOD = 500;
const token = (prefix: string) => `glpat-${prefix}-not-a-real-token-0123456789`;

/** A GET from another loopback source address (Linux routes all of 127.0.0.0/8 to lo). */
function getFrom(localAddress: string, url: string, secret: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { localAddress, headers: { 'private-token': secret } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

describe('authentication_failed: repeated identical failures', () => {
  let trove: RunningTrove;
  let stopped = false;
  const dataDir = join(tempDir(), 'data');
  const failures = async (prefix: string) =>
    ((await new Api(trove.baseUrl, privateToken(trove.rootToken)).expect(200, 'GET', '/api/v4/audit_events?event_name=authentication_failed&per_page=100')) as any[]).filter(
      (e) => e.details.credential_prefix === `glpat-${prefix}`,
    );

  before(async () => {
    trove = await startTrove({ dataDir });
  });

  after(async () => {
    if (!stopped) await trove?.stop();
  });

  it('records a single failure at once, with the credential prefix only', async () => {
    const res = await new Api(trove.baseUrl, privateToken(token('ONCE'))).get('/api/v4/user');
    assert.equal(res.status, 401);
    const [event, ...more] = await failures('ONCE');
    assert.equal(more.length, 0);
    assert.deepEqual([event.details.count, event.details.ip_address, event.reason], [1, '127.0.0.1', 'token not found']);
    assert.equal(JSON.stringify(event).includes(token('ONCE').slice(10)), false, 'nothing of the secret beyond its prefix');
  });

  it(`writes one event at once for ${FLOOD} identical failures, a separate one for another token or IP, and the rest with a count at shutdown`, async () => {
    const flooder = new Api(trove.baseUrl, privateToken(token('FLOD')));
    for (let i = 0; i < FLOOD; i += 25) {
      const statuses = await Promise.all(Array.from({ length: 25 }, () => flooder.get('/api/v4/user').then((r) => r.status)));
      assert.deepEqual(new Set(statuses), new Set([401]));
    }
    assert.equal(await getFrom('127.0.0.2', `${trove.baseUrl}/api/v4/user`, token('FLOD')), 401);
    assert.equal((await new Api(trove.baseUrl, privateToken(token('OTHR'))).get('/api/v4/user')).status, 401);
    const running = await failures('FLOD');
    assert.deepEqual(running.map((e) => [e.details.ip_address, e.details.count]).sort(), [['127.0.0.1', 1], ['127.0.0.2', 1]]);
    assert.equal((await failures('OTHR')).length, 1);

    stopped = true;
    assert.equal(await trove.stop(), 0, 'a graceful shutdown');
    const database = await openFaultInjector(trove);
    try {
      const stored = (await database.auditRecords({ event_name: 'authentication_failed' })).filter((e) => e.details.credential_prefix === 'glpat-FLOD');
      const fromLoopback = stored.filter((e) => e.details.ip_address === '127.0.0.1');
      assert.ok(fromLoopback.length <= 2, `${fromLoopback.length} events for one minute of one guesser`);
      assert.equal(fromLoopback.reduce((sum, e) => sum + e.details.count, 0), FLOOD);
      assert.deepEqual(stored.filter((e) => e.details.ip_address === '127.0.0.2').map((e) => e.details.count), [1]);
    } finally {
      await database.close();
    }
  });
});

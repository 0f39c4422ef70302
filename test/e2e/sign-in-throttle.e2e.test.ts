import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api } from '../support/api.js';
import { allEvents, sleep } from '../support/audit-e2e.js';
import { openFaultInjector } from '../support/fault-injection.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// Password guessing through the real sign-in API (POST /api/v4/session): after 10 failures for one
// login from one address within 10 minutes, 429 with Retry-After, also for the right password and
// also at a second Trove process on the same database; other logins are unaffected; every refused
// attempt is audited as authentication_failed. A Trove with a 2-second window shows the ban lifting.

const PASSWORD = 'correct-horse-battery'; // World's password for every user

async function signIn(trove: RunningTrove, login: string, password: string): Promise<Response> {
  return fetch(`${trove.baseUrl}/api/v4/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
}

describe('sign-in throttle', () => {
  let first: RunningTrove;
  let second: RunningTrove;
  let world: World;

  before(async () => {
    first = await startTrove();
    // The same database (and, on SQLite, the same data folder): a scale-out pair behind one balancer.
    second = await startTrove({ dataDir: first.dataDir, env: { TROVE_ROOT_TOKEN: first.rootToken, ...(first.databaseUrl ? { TROVE_DATABASE_URL: first.databaseUrl } : {}) } });
    world = new World(first);
    await world.user('victor');
    await world.user('bystander');
  });

  after(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('refuses the 11th attempt with 429 and Retry-After on every process, even with the right password', async () => {
    for (let i = 0; i < 10; i++) {
      // Alternating processes, username and email: all of them count for the same user.
      const res = await signIn(i % 2 ? second : first, i % 3 ? 'victor' : 'victor@example.com', `guess-${i}`);
      assert.equal(res.status, 401, `guess ${i}`);
    }
    for (const trove of [first, second]) {
      const res = await signIn(trove, 'victor', PASSWORD);
      assert.equal(res.status, 429);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter > 540 && retryAfter <= 600, `Retry-After ${retryAfter}`);
      assert.match(((await res.json()) as { message: string }).message, /too many failed sign-ins/);
    }
    assert.equal((await signIn(first, 'VICTOR', PASSWORD)).status, 429, 'the login is matched as the user, whatever its case');

    const bystander = await signIn(second, 'bystander', PASSWORD);
    assert.equal(bystander.status, 201, 'another login from the same address still signs in');
  });

  it('audits every refused attempt as authentication_failed, the throttled ones with their reason', async () => {
    const failures = (await allEvents(world.root, '/api/v4/audit_events', '&event_name=authentication_failed')).filter((e) => e.actor.username?.toLowerCase() === 'victor');
    // The first of each is recorded at once; the repeats within the minute (on either process)
    // are counted for one event with their count when the minute ends (authentication-failures.e2e.test.ts).
    assert.deepEqual(failures.map((e) => [e.reason, e.details.count, e.details.credential_prefix]).sort(), [
      ['too many failed sign-ins', 1, 'login:victor'],
      ['wrong password', 1, 'login:victor'],
    ]);
    assert.ok(failures.every((e) => e.outcome === 'failure' && e.details.ip_address === '127.0.0.1'));
    const database = await openFaultInjector(first);
    try {
      assert.equal(await database.countRows('authentication_failure_windows', { credential_prefix: 'login:victor', reason: 'wrong password', repeats: 9 }), 1);
      assert.equal(await database.countRows('authentication_failure_windows', { credential_prefix: 'login:victor', reason: 'too many failed sign-ins', repeats: 2 }), 1);
    } finally {
      await database.close();
    }
  });

  it('lifts the ban once the window has passed, and a success starts the count afresh', async () => {
    const short = await startTrove({ env: { TROVE_SIGN_IN_MAX_FAILURES: '3', TROVE_SIGN_IN_WINDOW_SECONDS: '2' } });
    try {
      await new World(short).user('wanda');
      for (let i = 0; i < 3; i++) assert.equal((await signIn(short, 'wanda', 'wrong')).status, 401);
      const refused = await signIn(short, 'wanda', PASSWORD);
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
      await sleep(retryAfter * 1000 + 100);
      assert.equal((await signIn(short, 'wanda', PASSWORD)).status, 201, 'signs in after Retry-After');
      // The success cleared the count: two more failures are not yet a ban.
      for (let i = 0; i < 2; i++) assert.equal((await signIn(short, 'wanda', 'wrong')).status, 401);
      assert.equal((await signIn(short, 'wanda', PASSWORD)).status, 201);
    } finally {
      await short.stop();
    }
  });

  it('throttles an unknown login too, so the throttle does not tell which logins exist', async () => {
    const api = new Api(first.baseUrl);
    for (let i = 0; i < 10; i++) assert.equal((await api.request('POST', '/api/v4/session', { login: 'nobody', password: 'x' })).status, 401);
    assert.equal((await api.request('POST', '/api/v4/session', { login: 'nobody', password: 'x' })).status, 429);
  });
});

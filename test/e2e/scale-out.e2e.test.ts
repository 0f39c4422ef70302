import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, privateToken } from '../support/api.js';
import { NpmClient } from '../support/npm-client.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import {
  allEvents, allPackages, assertContiguous, assertOneEventPerPackage, genericAttempt, jobRuns, jobsView, npmAttempt, pgRows, pool, rawAttempt,
  sleep, watchTakeover, type Attempt, type Credential,
} from '../support/scale-out.js';
import { runTroveCli } from '../support/audit-verify-data.js';
import { freshDatabaseUrl, TEST_BACKEND } from '../support/test-database.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// Scale-out (docs/operations.md#scale-out-on-postgresql): two Trove processes on one PostgreSQL database and one blob folder, with
// real npm and curl publishers spread over both. The audit log stays contiguous (seq 1..N, the
// advisory append lock of src/storage/db/audit-append.ts), every package has its event, each
// background job due time runs at most once, and kill -9 of the leading process loses nothing
// committed while the other process takes over background work.

const JOB = 'purge-expired-job-tokens';
const K = 200; // raw publishes timed to measure the cost of the append lock
type Side = 'a' | 'b';

describe('scale-out: two Troves on one PostgreSQL database', { skip: TEST_BACKEND === 'postgres' ? false : 'several processes share a PostgreSQL database' }, () => {
  const troves = {} as Record<Side, RunningTrove>;
  const roots = {} as Record<Side, Api>;
  const alive = new Set<Side>(['a', 'b']);
  let databaseUrl: string;
  let dataDir: string;
  let project: { id: number };
  let bench: { id: number };
  let creds: Credential[];
  const attempts: Attempt[] = [];
  const files = tempDir('trove-scale-files-');
  const testStart = Date.now();
  const registry = (side: Side, projectId: number) => `${troves[side].baseUrl}/api/v4/projects/${projectId}/packages/npm/`;
  const fixture = (name: string) => {
    const path = join(files, name);
    writeFileSync(path, randomBytes(20_000));
    return path;
  };

  /** Both live processes list the same packages; every package the clients saw succeed is there with one event; seq is 1..N, also in the database. */
  async function assertConsistent(projectId: number, seen: Attempt[]): Promise<any[]> {
    const sides = [...alive];
    const lists = await Promise.all(sides.map((side) => allPackages(roots[side], projectId)));
    const brief = (list: any[]) => list.map((p) => `${p.id}:${p.name}@${p.version}`);
    for (const list of lists.slice(1)) assert.deepEqual(brief(list), brief(lists[0]), 'both processes list the same packages');
    const stored = new Set(lists[0].map((p) => `${p.name}@${p.version}`));
    for (const x of seen.filter((a) => a.ok)) {
      assert.ok(stored.has(`${x.name}@${x.version}`), `${x.kind} ${x.name}@${x.version} succeeded at the client (process ${x.target}) but is not stored`);
    }
    const events = await allEvents(roots[sides[sides.length - 1]]);
    assertContiguous(events);
    assertOneEventPerPackage(lists[0], events, projectId);
    const [row] = await pgRows(databaseUrl, 'select count(*)::int as n, count(distinct seq)::int as d, coalesce(max(seq), 0)::int as m from audit_events');
    assert.deepEqual(row, { n: events.length, d: events.length, m: events.length }, 'the database holds exactly the events the API listed');
    return events;
  }

  before(async () => {
    databaseUrl = (await freshDatabaseUrl())!;
    dataDir = join(tempDir(), 'data'); // one blob folder (and audit key folder) shared by both processes
    const env = {
      TROVE_DATABASE_URL: databaseUrl,
      TROVE_ROOT_TOKEN: 'glpat-scale-out-root-abcdefghijklmnop',
      TROVE_JOB_INTERVALS: `${JOB}=1s`,
      TROVE_JOB_LEASE_SECONDS: '5',
      TROVE_AUDIT_SEAL_EVERY_MS: '500',
    };
    // Started at the same moment: migrations and the root bootstrap race on the empty database.
    const started = await Promise.allSettled([startTrove({ env, dataDir }), startTrove({ env, dataDir })]);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      for (const s of started) if (s.status === 'fulfilled') await s.value.stop();
      throw (failed as PromiseRejectedResult).reason;
    }
    [troves.a, troves.b] = started.map((s) => (s as PromiseFulfilledResult<RunningTrove>).value);
    for (const side of ['a', 'b'] as const) roots[side] = new Api(troves[side].baseUrl, privateToken(troves[side].rootToken));

    // Accounts through process a only; the tokens are used through both.
    const world = new World(troves.a);
    const group = await world.group('acme');
    project = await world.project('web-app', group.id);
    bench = await world.project('bench', group.id);
    const dana = await world.user('dana', ['api'], 'dana-laptop');
    await world.addMember('groups', group.id, dana, 30);
    const deploy = await world.deployToken('projects', project.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
    const job = await world.jobToken(project.id, {
      pipeline_id: 881, job_id: 4242, ref: 'main', sha: '3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b',
      pipeline_url: 'https://ci.example.test/acme/web-app/-/pipelines/881', user_id: dana.id,
    });
    creds = [
      { kind: 'pat', token: dana.token },
      { kind: 'deploy', token: deploy.token },
      { kind: 'job', token: job.token },
    ];
  });

  after(async () => {
    for (const side of alive) await troves[side].stop();
  });

  it('20 concurrent npm and curl publishers over both processes: one event per package, seq exactly 1..N', async () => {
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const side: Side = i % 2 ? 'b' : 'a';
        const cred = creds[i % 3];
        if (i < 10) {
          const client = new NpmClient(registry(side, project.id), cred.token);
          for (const version of ['1.0.0', '1.1.0']) attempts.push(await npmAttempt(client, side, `@acme/load-${i}`, version));
        } else {
          const file = fixture(`load-${i}`);
          for (const version of ['1.0.0', '1.1.0']) attempts.push(await genericAttempt(troves[side].baseUrl, project.id, cred, side, `load-gen-${i}`, version, file));
        }
      }),
    );
    assert.deepEqual(attempts.filter((x) => !x.ok).map((x) => `${x.name}@${x.version}: ${x.detail}`), []);
    assert.equal(attempts.length, 40);
    const packages = await allPackages(roots.b, project.id);
    assert.equal(packages.length, 40);
    assert.deepEqual(new Set(packages.map((p) => p.package_type)), new Set(['npm', 'generic']));
    const events = await assertConsistent(project.id, attempts);
    // Every kind of credential published through each process.
    const published = events.filter((e) => e.event_name === 'package_registry_package_published');
    const actors = new Set(published.map((e) => e.actor.type));
    assert.deepEqual(actors, new Set(['personal_access_token', 'deploy_token', 'job_token']));
  });

  it('runs each background job due time at most once, all by the one leader', async () => {
    const [viewA, viewB] = await Promise.all([jobsView(roots.a), jobsView(roots.b)]);
    assert.notEqual(viewA.this_process, viewB.this_process);
    assert.equal(viewA.leader?.holder, viewB.leader?.holder, 'both processes see the same leader');
    const leader = viewA.leader.holder;
    assert.ok([viewA.this_process, viewB.this_process].includes(leader), `leader ${leader} is one of the two processes`);

    const [runsA, runsB] = await Promise.all([jobRuns(roots.a, JOB), jobRuns(roots.b, JOB)]);
    const upTo = Math.min(runsA[0]?.id ?? 0, runsB[0]?.id ?? 0);
    const upToId = (runs: any[]) => runs.filter((r) => r.id <= upTo);
    assert.deepEqual(upToId(runsB), upToId(runsA), 'both processes report the same runs');
    const runs = upToId(runsA);
    const dueAts = runs.map((r) => r.due_at);
    assert.equal(new Set(dueAts).size, dueAts.length, `a due time ran twice: ${dueAts.join(' ')}`);
    assert.ok(runs.length >= 5, `only ${runs.length} runs of ${JOB} in ${Date.now() - testStart} ms`);
    const times = dueAts.map((d) => Date.parse(d));
    assert.ok(Math.max(...times) - Math.min(...times) >= 5000, 'the runs span the test, not one burst');
    const gaps = times.slice(1).map((t, i) => times[i] - t); // newest first
    assert.ok(Math.max(...gaps) <= 5000, `a gap of ${Math.max(...gaps)} ms between runs: the leader stopped ticking`);
    assert.ok(Date.now() - Math.max(...times) < 5000, 'the job still runs');
    assert.deepEqual([...new Set(runs.map((r) => r.holder))], [leader], 'every run by the leader');
    assert.deepEqual([...new Set(runs.filter((r) => r.finished_at).map((r) => r.outcome))], ['success']);

    const duplicates = await pgRows(databaseUrl, 'select name, due_at, count(*)::int as n from job_runs group by name, due_at having count(*) > 1');
    assert.deepEqual(duplicates, []);
    const [count] = await pgRows(databaseUrl, `select count(*)::int as n from job_runs where name = '${JOB}' and id <= ${upTo}`);
    assert.equal(count.n, runs.length, 'the API lists every run in the database');
  });

  it(`measures the append lock: ${K} raw npm publishes at concurrency 8 over both processes`, async () => {
    const eventsBefore = (await allEvents(roots.a)).length;
    const bodies = await Promise.all(
      Array.from({ length: K }, async (_, i) => JSON.stringify(publishBody(`bench-${i}`, '1.0.0', await packageTarball(`bench-${i}`, '1.0.0')))),
    );
    const t0 = performance.now();
    const results = await pool(bodies, 8, (body, i) => {
      const side: Side = i % 2 ? 'b' : 'a';
      return rawAttempt(troves[side].baseUrl, bench.id, creds[0].token, side, `bench-${i}`, '1.0.0', body);
    });
    const seconds = (performance.now() - t0) / 1000;
    assert.deepEqual(results.filter((x) => !x.ok).map((x) => `${x.name}: ${x.detail}`), []);
    const events = await assertConsistent(bench.id, results);
    assert.equal((await allPackages(roots.a, bench.id)).length, K);
    const newEvents = events.length - eventsBefore;
    console.log(
      `scale-out: ${K} npm publishes over 2 processes (concurrency 8) in ${seconds.toFixed(2)} s: ` +
        `${(K / seconds).toFixed(1)} publishes/s, ${(newEvents / seconds).toFixed(1)} events/s (${newEvents} events)`,
    );
  });

  it('kill -9 of the leader under load: nothing committed is lost, the other process takes over within 30 s', async () => {
    const view = await jobsView(roots.a);
    const victim: Side = view.leader.holder === view.this_process ? 'a' : 'b';
    const survivor: Side = victim === 'a' ? 'b' : 'a';
    const survivorHolder = (await jobsView(roots[survivor])).this_process;
    assert.notEqual(view.leader.holder, survivorHolder);
    const wave: Attempt[] = [];
    let killedAt = 0;
    let finished = false;
    const quiet = { npm_config_fetch_retries: '0' }; // a refused connection fails at once

    const workers = (['a', 'b'] as const).flatMap((side) => [
      ...[0, 1].map(async (w) => {
        const client = new NpmClient(registry(side, project.id), creds[w].token, quiet);
        for (let v = 0; v < 3; v++) wave.push(await npmAttempt(client, side, `@acme/wave-${side}-${w}`, `2.${v}.0`));
      }),
      ...[1, 2].map(async (w) => {
        const file = fixture(`wave-${side}-${w}`);
        for (let v = 0; v < 5; v++) wave.push(await genericAttempt(troves[side].baseUrl, project.id, creds[w], side, `wave-gen-${side}-${w}`, `2.${v}.0`, file));
      }),
    ]);
    const raw = (['a', 'b'] as const).map(async (side) => {
      for (let v = 0; !finished; v++) {
        const name = `wave-raw-${side}`;
        const version = `3.${v}.0`;
        const body = JSON.stringify(publishBody(name, version, await packageTarball(name, version)));
        wave.push(await rawAttempt(troves[side].baseUrl, project.id, creds[0].token, side, name, version, body));
        await sleep(50);
      }
    });
    let takeover: Promise<{ leaderMs: number | null; firstRunMs: number | null }> | undefined;
    let deadLease: Promise<any[]> | undefined;
    const killer = (async () => {
      const deadline = Date.now() + 60_000;
      const victimOk = () => wave.filter((x) => x.target === victim && x.ok);
      while (!(victimOk().some((x) => x.kind === 'npm') && victimOk().length >= 6) && Date.now() < deadline) await sleep(50);
      killedAt = Date.now();
      troves[victim].process.kill('SIGKILL');
      alive.delete(victim);
      takeover = watchTakeover(roots[survivor], JOB, survivorHolder, killedAt, 30_000);
      // The dead leader's lease as it was left (after any statement it had already sent has run).
      deadLease = sleep(300).then(() => pgRows(databaseUrl, `select holder, expires_at from job_leases where name = 'scheduler'`));
    })();
    await Promise.all([...workers, killer]);
    finished = true;
    await Promise.all(raw);
    const { leaderMs, firstRunMs } = await takeover!;
    await new Promise<void>((resolve) => (troves[victim].process.exitCode !== null || troves[victim].process.signalCode ? resolve() : troves[victim].process.once('exit', () => resolve())));
    assert.equal(troves[victim].process.signalCode, 'SIGKILL');

    // What the clients saw: the survivor served everything; the victim refused everything after the kill.
    const fromSurvivor = wave.filter((x) => x.target === survivor);
    assert.deepEqual(fromSurvivor.filter((x) => !x.ok).map((x) => `${x.name}@${x.version}: ${x.detail}`), []);
    assert.ok(fromSurvivor.length >= 12);
    const afterKill = wave.filter((x) => x.target === victim && x.startedAt > killedAt);
    assert.ok(afterKill.length > 0, 'some publishes went to the killed process');
    assert.deepEqual(afterKill.filter((x) => x.ok).map((x) => `${x.kind} ${x.name}@${x.version}`), [], 'publishes to a dead process fail at the client');
    assert.ok(wave.some((x) => x.target === victim && x.ok && x.startedAt < killedAt), 'the victim served publishes before it died');

    // Nothing committed is lost: every success of both waves is stored with its event, seq still 1..N.
    await assertConsistent(project.id, [...attempts, ...wave]);

    // The survivor took over background work within the 30 s.
    assert.ok(leaderMs !== null && firstRunMs !== null, `no takeover within 30 s (leader after ${leaderMs} ms)`);
    assert.ok(firstRunMs < 30_000);
    const [lease] = await deadLease!;
    assert.equal(lease.holder, view.leader.holder, 'nobody took the lease while it was valid');
    assert.ok(killedAt + firstRunMs >= Date.parse(lease.expires_at), `the survivor ran ${JOB} before the dead leader's lease lapsed (${lease.expires_at})`);
    const survivorView = await jobsView(roots[survivor]);
    assert.equal(survivorView.leader.holder, survivorHolder);
    const runs = await pgRows(databaseUrl, `select holder, due_at, started_at from job_runs where name = '${JOB}' order by id`);
    const sinceKill = runs.filter((r) => Date.parse(r.started_at) > killedAt);
    assert.ok(sinceKill.length >= 1);
    assert.deepEqual([...new Set(sinceKill.map((r) => r.holder))], [survivorHolder], 'after the kill only the survivor runs jobs');
    assert.equal(new Set(runs.map((r) => r.due_at)).size, runs.length, 'no due time ran twice across the takeover');
    const seen = (kind: string) => wave.filter((x) => x.kind === kind && x.ok).length;
    console.log(
      `scale-out: kill -9 of process ${victim} (leader); process ${survivor} leads after ${(leaderMs / 1000).toFixed(1)} s and runs ${JOB} ` +
        `after ${(firstRunMs / 1000).toFixed(1)} s (lease ${5} s); wave 2 client successes npm=${seen('npm')} generic=${seen('generic')} raw=${seen('raw')}, ` +
        `${wave.filter((x) => x.target === victim && !x.ok && x.startedAt <= killedAt).length} in flight at the kill, ${afterKill.length} refused after it`,
    );
  });

  it('trove audit verify passes on the shared database: every checkpoint the processes sealed matches the log', async () => {
    const survivor = [...alive][0];
    const head = (await allEvents(roots[survivor])).length;
    // The leader seals every 500 ms here; wait until a checkpoint covers the whole log.
    const deadline = Date.now() + 20_000;
    while ((await roots[survivor].get('/api/v4/audit_events/checkpoint')).body.tree_size < head) {
      assert.ok(Date.now() < deadline, 'no checkpoint covering the log within 20 s');
      await sleep(200);
    }
    const keyFile = join(tempDir('trove-scale-out-key-'), 'key.pub');
    writeFileSync(keyFile, (await roots[survivor].get('/api/v4/audit_events/checkpoint/public_key')).text);
    const result = await runTroveCli(['audit', 'verify', '--trusted-key', keyFile], { dataDir, databaseUrl });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /checkpoint/i);
  });
});

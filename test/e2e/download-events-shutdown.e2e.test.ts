import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { privateToken } from '../support/api.js';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// docs/architecture.md#the-one-write-path: download events are batched, and a graceful stop loses none. A burst of tarball
// downloads is running when the server gets SIGTERM; after a restart on the same data, every
// download that got a complete 200 response has exactly one event (matched by X-Request-Id),
// and there is no event for a download that did not complete.

const DOWNLOADED = 'package_registry_package_downloaded';
const TOTAL = 400;
const CONCURRENCY = 24;
const SIGTERM_AFTER = 120;

describe('download events across SIGTERM', () => {
  let trove: RunningTrove;
  let restarted: RunningTrove | undefined;

  before(async () => {
    trove = await startTrove();
  });

  after(async () => {
    if (trove.process.exitCode === null) await trove.stop();
    await restarted?.stop();
  });

  it('SIGTERM during a burst of downloads loses no event', async () => {
    const world = new World(trove);
    const acme = await world.group('acme');
    const project = await world.project('web-app', acme.id);
    await world.root.expect(200, 'PUT', `/api/v4/groups/${acme.id}/packages/settings`, { package_download_events: 'enabled' });
    await publishOk(world.root, project.id, 'burst-pkg', '1.0.0');
    const reader = await world.user('rita');
    await world.addMember('groups', acme.id, reader, 20);
    const tarball = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/burst-pkg/-/burst-pkg-1.0.0.tgz`;
    const first = await fetch(tarball, { headers: privateToken(reader.token) });
    assert.equal(first.status, 200);
    const expected = createHash('sha256').update(Buffer.from(await first.arrayBuffer())).digest('hex');

    const exited = new Promise<number | null>((resolve) => trove.process.once('exit', (code) => resolve(code)));
    const succeeded: string[] = [];
    const failed: string[] = [];
    let completedAfterSigterm = 0;
    let sigtermAt = 0;
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        const id = `burst-${next++}`;
        try {
          const res = await fetch(tarball, { headers: { ...privateToken(reader.token), 'x-request-id': id, 'user-agent': 'npm/10.9.0 node/v20.0.0 linux x64' } });
          const body = Buffer.from(await res.arrayBuffer());
          if (res.status === 200 && createHash('sha256').update(body).digest('hex') === expected) {
            succeeded.push(id);
            if (sigtermAt > 0) completedAfterSigterm++;
          } else {
            failed.push(id);
          }
        } catch {
          failed.push(id); // refused or cut off once the server stops
        }
        if (sigtermAt === 0 && succeeded.length >= SIGTERM_AFTER) {
          sigtermAt = Date.now();
          trove.process.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.equal(await exited, 0, `graceful exit:\n${trove.output()}`);
    console.log(`burst: ${succeeded.length} downloads completed (${completedAfterSigterm} after SIGTERM), ${failed.length} refused or cut off`);
    assert.ok(sigtermAt > 0, 'SIGTERM was sent during the burst');
    assert.ok(completedAfterSigterm > 0, 'downloads in flight at SIGTERM still completed');
    assert.equal(succeeded.length + failed.length, TOTAL);

    // The same data (folder, and database on the PostgreSQL run), a new process.
    restarted = await startTrove({
      dataDir: trove.dataDir,
      env: { TROVE_ROOT_TOKEN: trove.rootToken, ...(trove.databaseUrl ? { TROVE_DATABASE_URL: trove.databaseUrl } : {}) },
    });
    const again = new World(restarted);
    const events = await allEvents(again.root, `/api/v4/groups/${acme.id}/audit_events`, `&event_name=${DOWNLOADED}`);
    const burstIds = events.map((e) => e.request_id as string).filter((id) => id?.startsWith('burst-'));
    assert.equal(events.length, burstIds.length + 1, 'the burst plus the first download');
    const recorded = new Set(burstIds);
    assert.equal(recorded.size, burstIds.length, 'at most one event per download');
    const lost = succeeded.filter((id) => !recorded.has(id));
    assert.deepEqual(lost, [], `${lost.length} completed downloads have no event`);
    const phantom = burstIds.filter((id) => !succeeded.includes(id));
    assert.deepEqual(phantom, [], 'no event for a download that did not complete');
    // The events are contiguous in seq like any others.
    const seqs = events.map((e) => e.seq as number).sort((a, b) => a - b);
    assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]));
  });
});

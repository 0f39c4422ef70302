import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openFaultInjector } from '../support/fault-injection.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// Migration 012 on a running Trove: a package write's events join the SQLite filter indexes a
// moment after its commit (src/core/audit/audit-indexer.ts). Filtered listings answer the same
// right after the publishes, once the indexer has run, and after a restart; a clean stop leaves
// no event outside the indexes. On PostgreSQL (indexed at insert) the listings are checked alike.

const PUBLISHED = 'package_registry_package_published';

describe('audit filter indexes on a running Trove', () => {
  let trove: RunningTrove | undefined;
  after(async () => {
    await trove?.stop();
  });

  it('answers filtered listings the same before and after indexing and after a restart, and leaves nothing unindexed when stopped', async () => {
    const dataDir = join(tempDir(), 'data');
    trove = await startTrove({ dataDir });
    const world = new World(trove);
    const group = await world.group('acme');
    const project = await world.project('app', group.id);
    for (const name of ['left', 'right']) {
      for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
        const res = await world.root.put(`/api/v4/projects/${project.id}/packages/npm/${name}`, publishBody(name, version, await packageTarball(name, version)));
        assert.equal(res.status, 200, res.text);
      }
    }
    const listing = async (running: RunningTrove) => {
      const res = await fetch(`${running.baseUrl}/api/v4/groups/${group.id}/audit_events?package_name=left&event_name=${PUBLISHED}&per_page=100`, {
        headers: { 'PRIVATE-TOKEN': running.rootToken },
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as Array<{ id: number; package: { version: string } }>).map((e) => `${e.id} ${e.package.version}`);
    };
    const first = await listing(trove);
    assert.deepEqual(first.map((e) => e.split(' ')[1]), ['2.0.0', '1.1.0', '1.0.0'], 'newest first, only that package and event');

    const db = await openFaultInjector(trove);
    try {
      if (db.backend === 'sqlite') {
        const deadline = Date.now() + 10_000;
        while ((await db.countRows('audit_events', { indexed: 0 })) > 0) {
          assert.ok(Date.now() < deadline, 'the indexer indexes within seconds');
          await new Promise((r) => setTimeout(r, 50));
        }
      } else {
        assert.equal(await db.countRows('audit_events', { indexed: 0 }), 0, 'PostgreSQL indexes at insert');
      }
    } finally {
      await db.close();
    }
    assert.deepEqual(await listing(trove), first, 'the same answer from the indexes');

    // Events of a last write just before the stop are indexed by the stop itself.
    const res = await world.root.put(`/api/v4/projects/${project.id}/packages/npm/left`, publishBody('left', '3.0.0', await packageTarball('left', '3.0.0')));
    assert.equal(res.status, 200, res.text);
    const env: Record<string, string> = { TROVE_ROOT_TOKEN: trove.rootToken };
    if (trove.databaseUrl) env.TROVE_DATABASE_URL = trove.databaseUrl; // the PostgreSQL run
    await trove.stop();
    const stopped = await openFaultInjector(trove);
    try {
      assert.equal(await stopped.countRows('audit_events', { indexed: 0 }), 0, 'nothing left outside the indexes');
    } finally {
      await stopped.close();
    }
    trove = await startTrove({ dataDir, env });
    const again = await listing(trove);
    assert.equal(again.length, 4);
    assert.deepEqual(again.slice(1), first);
    assert.match(again[0]!, / 3\.0\.0$/);
  });
});

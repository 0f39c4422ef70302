import { join } from 'node:path';
import { sql } from 'kysely';
import { AuditIndexer } from '../src/core/audit/audit-indexer.js';
import { AuditLog } from '../src/core/audit/audit-log.js';
import type { AuditContext, AuditEventInput } from '../src/core/audit/audit-types.js';
import { migrateToLatest, openDatabase, type Tx } from '../src/storage/db/database.js';
import { tempDir } from '../test/support/temp-dir.js';

// `node --import tsx bench/audit-cost.ts`: what the two audit events of an npm publish (the version
// and its dist-tag) add to its transaction, without HTTP or a client, on a real SQLite file (WAL,
// synchronous=FULL, Trove's migrations). Each transaction writes a 3 KB row standing for the
// package rows, then, on the "events" side, AuditLog.recordBatch as PackageWriter calls it. The
// sides alternate in rounds of 600 transactions; medians of 20 rounds. Steadier than the
// benchmark's HTTP ratio (a round's ratio there moves by ±0.05): a change of a few µs shows here.
// With `--indexer`, the "events" side also runs the audit indexer every INDEX_EVERY transactions
// (about what its 250 ms hold at the benchmark's ~600 publishes/s), inline and timed with the
// round, as a running Trove does between publishes: the events' deferred cost, reported apart.

const ROUNDS = 20;
const PER_ROUND = 600;
const INDEX_EVERY = 150;
const withIndexer = process.argv.includes('--indexer');

const ctx: AuditContext = {
  actor: { type: 'personal_access_token', user_id: 2, username: 'bench-publisher', token_id: 2, token_name: 'bench-publisher-token', token_owner_path: 'bench-publisher' },
  via: 'package_client',
  client: { name: 'npm', version: '11.6.2' },
  userAgent: 'npm/11.6.2 node/v20.19.5 linux x64 workspaces/false',
  ipAddress: '127.0.0.1',
  requestId: '8c81a266-9659-4de3-8f72-a491407a703e',
  pipeline: null,
};

function publishEvents(i: number): { ctx: AuditContext; input: AuditEventInput }[] {
  const version = `1.0.${i}`;
  const base = {
    scope: { entityType: 'Group' as const, entityId: 2, entityPath: 'bench', settingNamespaceId: null },
    project: { id: 1, full_path: 'bench/registry' },
    package: { id: i, format: 'npm', name: 'bench-package', version, files: [{ file_name: `bench-package-${version}.tgz`, size: 204, sha256: 'c4c4326c02c742b64ddaffee66a4ec7b52dbaef73b73603894d91a849fb89443' }] },
  };
  return [
    { ctx, input: { ...base, eventName: 'package_registry_package_published', target: { id: i, type: 'Packages::Package', details: `bench/registry/bench-package-${version}` }, customMessage: 'npm package published' } },
    { ctx, input: { ...base, eventName: 'package_registry_package_tag_updated', target: { id: i, type: 'Packages::Tag', details: 'bench/registry/bench-package@latest' }, customMessage: `npm tag "latest" set to ${version}`, changes: { latest: { from: null, to: version } } } },
  ];
}

const dir = tempDir('trove-audit-cost-');
const db = openDatabase({ sqliteFile: join(dir, 'trove.db') });
await migrateToLatest(db);
await sql`CREATE TABLE bench_package_rows (id integer PRIMARY KEY, body text NOT NULL)`.execute(db);
const audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });
const indexer = new AuditIndexer(db, console);
const packageRows = 'x'.repeat(3000);

type Side = 'none' | 'events';
const samples: Record<Side, { total: number[]; commit: number[]; indexer: number[] }> = {
  none: { total: [], commit: [], indexer: [] },
  events: { total: [], commit: [], indexer: [] },
};

/** One transaction; returns [total, COMMIT] in ns (COMMIT: from the end of the callback until execute() resolves). */
async function transaction(side: Side, i: number): Promise<[number, number]> {
  const start = process.hrtime.bigint();
  let bodyDone = start;
  await db.transaction().execute(async (tx: Tx) => {
    await sql`INSERT INTO bench_package_rows (body) VALUES (${packageRows})`.execute(tx);
    if (side === 'events') await audit.recordBatch(tx, publishEvents(i));
    bodyDone = process.hrtime.bigint();
  });
  const end = process.hrtime.bigint();
  return [Number(end - start), Number(end - bodyDone)];
}

async function round(side: Side, warmup: boolean): Promise<void> {
  let total = 0;
  let commit = 0;
  let indexing = 0;
  for (let i = 0; i < PER_ROUND; i++) {
    const [t, c] = await transaction(side, i);
    total += t;
    commit += c;
    if (withIndexer && side === 'events' && (i + 1) % INDEX_EVERY === 0) {
      const start = process.hrtime.bigint();
      await indexer.indexPending();
      indexing += Number(process.hrtime.bigint() - start);
    }
  }
  if (warmup) return;
  samples[side].total.push((total + indexing) / PER_ROUND / 1000);
  samples[side].commit.push(commit / PER_ROUND / 1000);
  samples[side].indexer.push(indexing / PER_ROUND / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  for (let r = 0; r < 3; r++) for (const side of ['none', 'events'] as const) await round(side, true);
  for (let r = 0; r < ROUNDS; r++) for (const side of r % 2 ? (['events', 'none'] as const) : (['none', 'events'] as const)) await round(side, false);
  const row = (side: Side) => ({ total: median(samples[side].total), commit: median(samples[side].commit), indexer: median(samples[side].indexer) });
  const none = row('none');
  const events = row('events');
  console.log(`µs per transaction (medians of ${ROUNDS} rounds of ${PER_ROUND}):`);
  console.log(`  without events ${none.total.toFixed(0)} (COMMIT ${none.commit.toFixed(0)})`);
  console.log(`  with events    ${events.total.toFixed(0)} (COMMIT ${events.commit.toFixed(0)}${withIndexer ? `, indexer ${events.indexer.toFixed(0)}` : ''})`);
  const body = events.total - events.commit - events.indexer - (none.total - none.commit);
  const indexing = withIndexer ? `, ${events.indexer.toFixed(0)} indexing them afterwards` : '';
  console.log(`  the events add ${(events.total - none.total).toFixed(0)}: ${body.toFixed(0)} in the transaction, ${(events.commit - none.commit).toFixed(0)} at COMMIT${indexing}`);
} finally {
  await db.destroy();
}

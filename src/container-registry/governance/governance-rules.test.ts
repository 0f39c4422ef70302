import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_EXPIRATION, type ExpirationPolicy } from './expiration-policy.js';
import { selectExpiredTags, type TagCandidate } from './expiration-runner.js';
import { isImmutableRule, tagMatches } from './tag-rules.js';

const NOW = new Date('2026-06-30T00:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const policy = (settings: Partial<ExpirationPolicy>): ExpirationPolicy => ({ id: 1, project_id: 1, ...DEFAULT_EXPIRATION, enabled: true, ...settings });
const tag = (repository: string, name: string, age: number): TagCandidate => ({ repository, tag: name, updated_at: daysAgo(age) });
const labels = (tags: TagCandidate[]) => tags.map((t) => `${t.repository}:${t.tag}`);

test('a tag rule searches the tag name (GitLab RE2 patterns are unanchored); both levels null is immutable', () => {
  assert.equal(tagMatches({ tag_name_pattern: 'stable|release' }, '1.0-stable'), true);
  assert.equal(tagMatches({ tag_name_pattern: '^v[0-9]+$' }, 'v12'), true);
  assert.equal(tagMatches({ tag_name_pattern: '^v[0-9]+$' }, 'v12-rc'), false);
  assert.equal(tagMatches({ tag_name_pattern: '(a+)+$' }, `${'a'.repeat(40)}!`), true, 'a pattern that runs out of time protects');
  assert.equal(isImmutableRule({ minimum_access_level_for_push: null, minimum_access_level_for_delete: null }), true);
  assert.equal(isImmutableRule({ minimum_access_level_for_push: 'maintainer', minimum_access_level_for_delete: 'owner' }), false);
});

test('the expiration policy keeps the newest keep_n per repository and deletes the rest older than older_than', () => {
  const tags = [tag('a', 'new', 1), tag('a', 'mid', 20), tag('a', 'old', 40), tag('a', 'oldest', 50), tag('b', 'only-old', 60)];
  assert.deepEqual(labels(selectExpiredTags(policy({ name_regex: '.*', keep_n: 1, older_than: '30d' }), tags, NOW)), ['a:oldest', 'a:old'], 'b keeps its only tag');
  assert.deepEqual(labels(selectExpiredTags(policy({ name_regex: '.*', keep_n: 1, older_than: null }), tags, NOW)), ['a:oldest', 'a:old', 'a:mid']);
  assert.deepEqual(labels(selectExpiredTags(policy({ name_regex: '.*', keep_n: null, older_than: '30d' }), tags, NOW)), ['b:only-old', 'a:oldest', 'a:old']);
});

test('the expiration policy matches its regexes against the whole name, and deletes nothing without name_regex', () => {
  const tags = [tag('a', 'keep-1', 90), tag('a', 'dev-1', 90), tag('a', 'dev-10', 90), tag('a', 'x-dev-2', 90)];
  assert.deepEqual(selectExpiredTags(policy({ name_regex: null, keep_n: null, older_than: '7d' }), tags, NOW), []);
  assert.deepEqual(labels(selectExpiredTags(policy({ name_regex: 'dev-.*', name_regex_keep: 'dev-1', keep_n: null, older_than: '7d' }), tags, NOW)).sort(), ['a:dev-10']);
});

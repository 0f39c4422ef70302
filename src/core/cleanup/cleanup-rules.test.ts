import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, REGEX_FIELDS, rulesOf, type CleanupRules } from './cleanup-policy.js';
import { regexInputs, selectVersionsToDelete, type RegexMatches, type VersionCandidate } from './cleanup-rules.js';
import { matchingInputs } from './sandboxed-regex.js';

const NOW = new Date('2026-06-30T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

let nextId = 1;
function version(format: string, name: string, version: string, ageDays: number, tags: string[] = []): VersionCandidate {
  return { id: nextId++, format, name, normalized_name: name.toLowerCase(), version, created_at: daysAgo(ageDays), tags };
}

function rules(overrides: Partial<CleanupRules>): CleanupRules {
  return { ...rulesOf(DEFAULT_SETTINGS), ...overrides };
}

/** Evaluates the rule regexes the way the runner does (sandboxed). */
function select(candidates: VersionCandidate[], policy: CleanupRules) {
  const inputs = regexInputs(candidates);
  const matches = {} as Record<string, ReadonlySet<string> | null>;
  for (const field of REGEX_FIELDS) matches[field] = policy[field] === null ? null : matchingInputs(policy[field]!, inputs[field]);
  return selectVersionsToDelete(candidates, policy, matches as RegexMatches, NOW).map((s) => `${s.candidate.name}@${s.candidate.version} (${s.reason})`);
}

// Five versions of one npm package (one a day) and three of a PyPI package.
const npm = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4'].map((v, i) => version('npm', '@acme/ui-kit', v, 10 - i));
const pypi = ['0.1.0', '0.2.0', '0.3.0'].map((v, i) => version('pypi', 'Probe.Hello', v, 10 - i));

describe('cleanup selection rules', () => {
  it('keeps the N most recent versions of each package name', () => {
    assert.deepEqual(select([...npm, ...pypi], rules({ keep_n_versions: 2 })), [
      '@acme/ui-kit@1.0.0 (keep_n_versions=2)',
      '@acme/ui-kit@1.0.1 (keep_n_versions=2)',
      '@acme/ui-kit@1.0.2 (keep_n_versions=2)',
      'Probe.Hello@0.1.0 (keep_n_versions=2)',
    ]);
  });

  it('lists the selection oldest first per package', () => {
    assert.deepEqual(select(npm, rules({ keep_n_versions: 3 })), ['@acme/ui-kit@1.0.0 (keep_n_versions=3)', '@acme/ui-kit@1.0.1 (keep_n_versions=3)']);
  });

  it('ranks by creation time, not by version number or input order', () => {
    const late = version('npm', 'left-pad', '0.9.0', 1);
    const early = version('npm', 'left-pad', '2.0.0', 5);
    const middle = version('npm', 'left-pad', '1.0.0', 3);
    assert.deepEqual(select([late, early, middle], rules({ keep_n_versions: 1 })), ['left-pad@2.0.0 (keep_n_versions=1)', 'left-pad@1.0.0 (keep_n_versions=1)']);
  });

  it('counts the same name separately per format', () => {
    const a = [version('npm', 'same', '1.0.0', 2), version('npm', 'same', '1.0.1', 1)];
    const b = [version('pypi', 'same', '1.0.0', 2)];
    assert.deepEqual(select([...a, ...b], rules({ keep_n_versions: 1 })), ['same@1.0.0 (keep_n_versions=1)']);
  });

  it('deletes versions older than D days', () => {
    assert.deepEqual(select(npm, rules({ older_than_days: 8 })), ['@acme/ui-kit@1.0.0 (older_than_days=8)', '@acme/ui-kit@1.0.1 (older_than_days=8)']);
    assert.deepEqual(select(npm, rules({ older_than_days: 0 })).length, 5);
    assert.deepEqual(select(npm, rules({ older_than_days: 30 })), []);
  });

  it('needs every rule that is set (keep_n_versions and older_than_days)', () => {
    // 1.0.2 is beyond the 2 kept but only 8 days old; 1.0.0 and 1.0.1 are older than 8 days.
    assert.deepEqual(select(npm, rules({ keep_n_versions: 2, older_than_days: 8 })), [
      '@acme/ui-kit@1.0.0 (keep_n_versions=2, older_than_days=8)',
      '@acme/ui-kit@1.0.1 (keep_n_versions=2, older_than_days=8)',
    ]);
    assert.deepEqual(select(npm, rules({ keep_n_versions: 4, older_than_days: 0 })), ['@acme/ui-kit@1.0.0 (keep_n_versions=4, older_than_days=0)']);
  });

  it('always keeps tagged versions (npm dist-tags such as latest)', () => {
    const tagged = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4'].map((v, i) => version('npm', 'tagged', v, 10 - i, v === '1.0.1' ? ['latest'] : []));
    assert.deepEqual(select(tagged, rules({ keep_n_versions: 2, older_than_days: 0 })), [
      'tagged@1.0.0 (keep_n_versions=2, older_than_days=0)',
      'tagged@1.0.2 (keep_n_versions=2, older_than_days=0)',
    ]);
  });

  it('keeps versions matching version_regex_keep', () => {
    const mixed = [version('npm', 'lib', '1.0.0', 9), version('npm', 'lib', '2.0.0', 8), version('npm', 'lib', '10.0.0', 7), version('npm', 'lib', '3.0.0', 1)];
    assert.deepEqual(select(mixed, rules({ keep_n_versions: 1, version_regex_keep: '^1\\.' })), ['lib@2.0.0 (keep_n_versions=1)', 'lib@10.0.0 (keep_n_versions=1)']);
  });

  it('limits cleanup to names matching name_regex and spares names matching name_regex_keep', () => {
    const other = [version('npm', 'other', '1.0.0', 5), version('npm', 'other', '1.0.1', 4)];
    const all = [...npm, ...other];
    assert.deepEqual(select(all, rules({ keep_n_versions: 1, name_regex: '^other$' })), ['other@1.0.0 (keep_n_versions=1, name_regex=^other$)']);
    assert.deepEqual(select(all, rules({ keep_n_versions: 4, name_regex_keep: '^other' })), ['@acme/ui-kit@1.0.0 (keep_n_versions=4)']);
  });

  it('selects nothing without a count or age rule, whatever the regexes say', () => {
    assert.deepEqual(select([...npm, ...pypi], rules({})), []);
    assert.deepEqual(select([...npm, ...pypi], rules({ name_regex: '.*' })), []);
  });

  it('refuses matches that do not belong to the rules (a rule left unevaluated)', () => {
    const none: RegexMatches = { name_regex: null, name_regex_keep: null, version_regex_keep: null };
    assert.throws(() => selectVersionsToDelete(npm, rules({ keep_n_versions: 1, version_regex_keep: '^1' }), none, NOW), /disagree/);
  });

  it('evaluates each regex once per distinct name and version', () => {
    const inputs = regexInputs([...npm, ...pypi]);
    assert.deepEqual(inputs.name_regex, ['@acme/ui-kit', 'Probe.Hello']);
    assert.deepEqual(inputs.version_regex_keep, ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '0.1.0', '0.2.0', '0.3.0']);
  });
});

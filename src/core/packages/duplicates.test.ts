import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duplicateAllowed } from './duplicates.js';

// GitLab's duplicate rule: `allowed` unless the exception regex matches the name or the version,
// then the opposite; an empty pattern is no exception; a pattern that runs out of time allows nothing.

describe('duplicateAllowed', () => {
  it('follows the switch alone when there is no exception pattern', () => {
    assert.equal(duplicateAllowed({ allowed: false, exceptionRegex: '' }, 'tool', '1.0.0'), false);
    assert.equal(duplicateAllowed({ allowed: true, exceptionRegex: '' }, 'tool', '1.0.0'), true);
  });

  it('allows, with duplicates off, what the pattern matches by name or by version, and nothing else', () => {
    const rule = { allowed: false, exceptionRegex: '-SNAPSHOT$' };
    assert.equal(duplicateAllowed(rule, 'tool', '1.0.0-SNAPSHOT'), true, 'version matches');
    assert.equal(duplicateAllowed({ allowed: false, exceptionRegex: '^scratch-' }, 'scratch-tool', '1.0.0'), true, 'name matches');
    assert.equal(duplicateAllowed(rule, 'tool', '1.0.0'), false);
  });

  it('refuses, with duplicates on, what the pattern matches by name or by version, and allows the rest', () => {
    const rule = { allowed: true, exceptionRegex: '^release-|^\\d+\\.\\d+\\.\\d+$' };
    assert.equal(duplicateAllowed(rule, 'release-tool', '1.0.0-rc1'), false, 'name matches');
    assert.equal(duplicateAllowed(rule, 'tool', '2.3.4'), false, 'version matches');
    assert.equal(duplicateAllowed(rule, 'tool', '2.3.4-dev'), true);
  });

  it('matches anywhere in the name or version, case-sensitively, as GitLab does', () => {
    assert.equal(duplicateAllowed({ allowed: false, exceptionRegex: 'dev' }, 'my-dev-tool', '1.0.0'), true);
    assert.equal(duplicateAllowed({ allowed: false, exceptionRegex: 'dev' }, 'my-DEV-tool', '1.0.0'), false);
  });

  it('allows no duplicate, whichever way the switch is set, when the pattern does not finish in time', () => {
    const hostile = `${'a'.repeat(40)}-b`;
    assert.equal(duplicateAllowed({ allowed: true, exceptionRegex: '(a+)+$' }, hostile, '1.0.0'), false);
    assert.equal(duplicateAllowed({ allowed: false, exceptionRegex: '(a+)+$' }, hostile, '1.0.0'), false);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patternMatches } from './protection-rules.js';

test('a pattern matches whole names, * standing for any run of characters', () => {
  assert.equal(patternMatches('@acme/*', '@acme/ui-kit'), true);
  assert.equal(patternMatches('@acme/*', '@acme-evil/ui-kit'), false);
  assert.equal(patternMatches('@acme/*', 'x@acme/ui-kit'), false, 'anchored at the start');
  assert.equal(patternMatches('core', 'core-utils'), false, 'anchored at the end');
  assert.equal(patternMatches('*-internal*', 'billing-internal-api'), true);
  assert.equal(patternMatches('a.b', 'axb'), false, 'a dot is a dot');
  assert.equal(patternMatches('Acme_*', 'acme_tools'), true, 'case does not matter (PyPI names)');
});

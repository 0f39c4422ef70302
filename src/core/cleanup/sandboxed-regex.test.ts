import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchingInputs, RegexTimeoutError } from './sandboxed-regex.js';

describe('sandboxed regex', () => {
  it('matches like RegExp.test (a search, not a full match)', () => {
    assert.deepEqual([...matchingInputs('^1\\.', ['1.0.0', '1.2.3', '10.0.0', '2.1.0'])], ['1.0.0', '1.2.3']);
    assert.deepEqual([...matchingInputs('ui', ['@acme/ui-kit', 'left-pad'])], ['@acme/ui-kit']);
    assert.equal(matchingInputs('x', []).size, 0);
  });

  it('aborts catastrophic backtracking within the time limit', () => {
    const started = Date.now();
    const hostile = `${'a'.repeat(40)}-b`;
    assert.throws(() => matchingInputs('(a+)+$', ['ok', hostile], 100), (error: unknown) => {
      assert.ok(error instanceof RegexTimeoutError);
      assert.equal(error.source, '(a+)+$');
      return true;
    });
    // Without the limit this match takes far longer than the age of the universe.
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  it('cannot reach the server through the pattern source', () => {
    // The source is data handed to new RegExp inside the sandbox, never evaluated as code.
    const source = 'x"; process.exit(1); "';
    assert.deepEqual([...matchingInputs(source, ['x"; process.exit1; "', 'a'])], ['x"; process.exit1; "']);
  });
});

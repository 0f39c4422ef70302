import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialPrefixOf } from './authentication-failures.js';

describe('the credential prefix of an authentication failure', () => {
  it('keeps the token type and four characters, never more of the secret', () => {
    assert.equal(credentialPrefixOf({ secret: 'glpat-AbCdEfGhIjKlMnOpQrStUvWx' }), 'glpat-AbCd');
    assert.equal(credentialPrefixOf({ secret: 'gldt-Zyxw1234567890abcdef' }), 'gldt-Zyxw');
    assert.equal(credentialPrefixOf({ secret: 'glcbt-0000aaaabbbbcccc' }), 'glcbt-0000');
    assert.equal(credentialPrefixOf({ secret: 'some-other-secret' }), 'some');
  });

  it('keeps at least half of a short guess out of the log', () => {
    assert.equal(credentialPrefixOf({ secret: 'glpat-abc' }), 'glpat-a');
    assert.equal(credentialPrefixOf({ secret: 'x' }), '');
    assert.equal(credentialPrefixOf({ secret: 'hunter2' }), 'hun');
  });

  it('names the login of a password, in lower case', () => {
    assert.equal(credentialPrefixOf({ login: 'Victor' }), 'login:victor');
  });
});

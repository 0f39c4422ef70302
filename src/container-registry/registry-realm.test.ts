import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registryChallenge } from './registry-auth.js';
import { parseScope } from './registry-realm.js';

// The two strings of the Docker token protocol a client reads or writes: the scope it asks the
// realm for, and the challenge /v2/ answers a 401 with (CLIENTS.md, "Token flow", "Refused push").

describe('registry scopes and challenges', () => {
  it('parses type:name:actions, the name being everything between the first and the last colon', () => {
    assert.deepEqual(parseScope('repository:acme/web-app/api:pull,push'), { type: 'repository', name: 'acme/web-app/api', actions: ['pull', 'push'] });
    assert.deepEqual(parseScope('repository:acme/web-app:*'), { type: 'repository', name: 'acme/web-app', actions: ['*'] });
    assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] });
    assert.deepEqual(parseScope('repository:localhost:5000/x:pull,pull,'), { type: 'repository', name: 'localhost:5000/x', actions: ['pull'] });
    assert.equal(parseScope('repository:nothing'), null);
    assert.equal(parseScope(':a:pull'), null);
  });

  it('answers the Bearer challenge, with the scope and insufficient_scope when given', () => {
    const base = 'http://127.0.0.1:8080';
    assert.equal(registryChallenge(base, null), 'Bearer realm="http://127.0.0.1:8080/jwt/auth",service="container_registry"');
    assert.equal(
      registryChallenge(base, 'repository:acme/web-app/api:pull,push', true),
      'Bearer realm="http://127.0.0.1:8080/jwt/auth",service="container_registry",scope="repository:acme/web-app/api:pull,push",error="insufficient_scope"',
    );
  });
});

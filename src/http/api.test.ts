import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import Type from 'typebox';
import { registerResponseContracts, typedApi } from './api.js';

// The contract check itself: the suite relies on it to prove every route's declared response true.

const Thing = Type.Object({ id: Type.Integer(), name: Type.String() });

async function serverWith(checkContracts: boolean, answer: unknown) {
  const app = Fastify();
  registerResponseContracts(app, checkContracts);
  // A deliberately wrong answer: the compiler would refuse it, which is the point of the check.
  typedApi(app).get('/thing', { schema: { response: { 200: Thing } } }, async () => answer as never);
  typedApi(app).get('/untyped', async () => ({ anything: true }));
  await app.ready();
  return app;
}

describe('response contracts', () => {
  it('sends a response that matches its contract unchanged, extra fields included', async () => {
    const app = await serverWith(true, { id: 1, name: 'x', extra: 'kept' });
    const response = await app.inject({ method: 'GET', url: '/thing' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { id: 1, name: 'x', extra: 'kept' });
    assert.equal((await app.inject({ method: 'GET', url: '/untyped' })).statusCode, 200);
  });

  it('answers 500 naming the mismatch when the check is on', async () => {
    const app = await serverWith(true, { id: 'one' });
    const response = await app.inject({ method: 'GET', url: '/thing' });
    assert.equal(response.statusCode, 500);
    assert.match(response.body, /breaks its contract.*id.*integer|breaks its contract.*name/s);
  });

  it('never drops or changes data when the check is off (no schema-driven serializer)', async () => {
    const app = await serverWith(false, { id: 'one', more: [1, 2] });
    const response = await app.inject({ method: 'GET', url: '/thing' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { id: 'one', more: [1, 2] });
  });
});

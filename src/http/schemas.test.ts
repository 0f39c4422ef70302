import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { compileRemainingValidators, decimalUpTo, MAX_ID, registerSchemaValidation } from './schemas.js';

describe('decimalUpTo', () => {
  it('matches exactly the decimals from 1 to max, without leading zeros', () => {
    for (const max of [1, 9, 10, 57, 100, 909, 1000, 2024]) {
      const pattern = new RegExp(decimalUpTo(max), 'u');
      for (let n = 0; n <= max + 120; n++) assert.equal(pattern.test(String(n)), n >= 1 && n <= max, `${n} against ${max}`);
      for (const text of ['', '01', '-1', '1.0', '1e3', ' 1', '1 ']) assert.equal(pattern.test(text), false, `"${text}" against ${max}`);
    }
  });

  it('bounds ids to the database range', () => {
    const pattern = new RegExp(decimalUpTo(MAX_ID), 'u');
    for (const text of ['1', '999999999', '2147483647', '2147483639', '1999999999']) assert.ok(pattern.test(text), text);
    for (const text of ['2147483648', '2147483650', '2200000000', '9999999999', '99999999999999999999', '0']) assert.ok(!pattern.test(text), text);
  });
});

describe('route validators', () => {
  it('validate from the first request on, and compileRemainingValidators compiles the rest', async () => {
    const app = Fastify();
    registerSchemaValidation(app);
    const body = { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 3 } } };
    app.post('/a', { schema: { body }, config: { anonymousBody: true } }, async () => 'ok');
    app.post('/b', { schema: { body }, config: { anonymousBody: true } }, async () => 'ok');
    await app.ready();
    const bad = await app.inject({ method: 'POST', url: '/a', payload: { name: 'toolong' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /must NOT have more than 3 characters/);
    assert.equal((await app.inject({ method: 'POST', url: '/a', payload: { name: 'ok' } })).statusCode, 200);
    await compileRemainingValidators();
    assert.equal((await app.inject({ method: 'POST', url: '/b', payload: {} })).statusCode, 400);
    await app.close();
  });

  it('make compileRemainingValidators reject when a schema does not compile', async () => {
    const app = Fastify();
    registerSchemaValidation(app);
    app.post('/broken', { schema: { body: { type: 'object', properties: { n: { type: 'no-such-type' } } } }, config: { anonymousBody: true } }, async () => 'ok');
    await app.ready();
    await assert.rejects(compileRemainingValidators(), /type/);
    await app.close();
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { PackageFormat } from '../formats/format.js';
import { npmFormat } from '../formats/npm/npm-format.js';
import type { AppContext } from './app-context.js';
import { credentialOf } from './auth-hook.js';
import { isPackageClientRoute, registerPackageClientRoutes } from './package-client-routes.js';

// A format's own credential header (NuGet's X-NuGet-ApiKey) is read on that format's routes and
// nowhere else: not on REST API routes, not on another format's routes, not on unknown paths,
// however the client spells the header. The routes are real Fastify routes registered the way the
// server registers formats; what each handler sees is what the auth hook would authenticate.

const seen = (request: FastifyRequest) => ({ credential: credentialOf(request), packageClient: isPackageClientRoute(request) });

/** A format that reads X-Test-ApiKey, as NuGet would read X-NuGet-ApiKey. */
const apiKeyFormat: PackageFormat = {
  ...npmFormat,
  name: 'apikeyfmt',
  credentialHeaders: ['X-Test-ApiKey'],
  async register(app) {
    app.get('/api/v4/projects/:id/packages/apikeyfmt/*', async (request) => seen(request));
  },
};

/** A format whose client sends the token bare in Authorization, as gem push does. */
const bareAuthorizationFormat: PackageFormat = {
  ...npmFormat,
  name: 'barefmt',
  credentialHeaders: ['authorization'],
  async register(app) {
    app.get('/api/v4/projects/:id/packages/barefmt/*', async (request) => seen(request));
  },
};

const otherFormat: PackageFormat = {
  ...npmFormat,
  name: 'otherfmt',
  credentialHeaders: [],
  async register(app) {
    app.get('/api/v4/projects/:id/packages/otherfmt/*', async (request) => seen(request));
  },
};

describe('format credential headers', () => {
  let app: FastifyInstance;
  const get = async (url: string, headers: Record<string, string>) => (await app.inject({ method: 'GET', url, headers })).json();

  before(async () => {
    app = Fastify();
    app.get('/api/v4/projects/:id/packages', async (request) => seen(request));
    app.setNotFoundHandler(async (request) => seen(request));
    for (const format of [apiKeyFormat, bareAuthorizationFormat, otherFormat]) await registerPackageClientRoutes(app, {} as AppContext, format);
    await app.ready();
  });

  after(async () => {
    await app?.close();
  });

  it('reads the declared header on the format’s own routes, whatever its case, which stay package-client routes', async () => {
    assert.deepEqual(await get('/api/v4/projects/1/packages/apikeyfmt/index.json', { 'x-test-apikey': 'secret-1' }), { credential: 'secret-1', packageClient: true });
    assert.deepEqual(await get('/api/v4/projects/1/packages/apikeyfmt/index.json', { 'X-TEST-APIKEY': 'secret-2' }), { credential: 'secret-2', packageClient: true });
  });

  it('ignores it on REST API routes, on another format’s routes and on unknown paths', async () => {
    assert.deepEqual(await get('/api/v4/projects/1/packages', { 'x-test-apikey': 'secret' }), { credential: null, packageClient: false });
    assert.deepEqual(await get('/api/v4/projects/1/packages/otherfmt/x', { 'x-test-apikey': 'secret' }), { credential: null, packageClient: true });
    assert.deepEqual(await get('/api/v4/no-such-route', { 'x-test-apikey': 'secret' }), { credential: null, packageClient: false });
  });

  it('reads a bare Authorization token only on a format that declares it, where Basic and Bearer keep their meaning', async () => {
    const basic = `Basic ${Buffer.from('user:basic-secret').toString('base64')}`;
    assert.deepEqual(await get('/api/v4/projects/1/packages/barefmt/x', { authorization: 'bare-secret' }), { credential: 'bare-secret', packageClient: true });
    assert.deepEqual(await get('/api/v4/projects/1/packages/barefmt/x', { authorization: basic }), { credential: 'basic-secret', packageClient: true });
    assert.deepEqual(await get('/api/v4/projects/1/packages/barefmt/x', { authorization: 'Bearer bearer-secret' }), { credential: 'bearer-secret', packageClient: true });
    assert.deepEqual(await get('/api/v4/projects/1/packages/otherfmt/x', { authorization: 'bare-secret' }), { credential: null, packageClient: true });
    assert.deepEqual(await get('/api/v4/projects/1/packages', { authorization: 'bare-secret' }), { credential: null, packageClient: false });
  });

  it('still reads GitLab’s headers everywhere, before a format’s own', async () => {
    assert.deepEqual(await get('/api/v4/projects/1/packages', { 'private-token': 'pat' }), { credential: 'pat', packageClient: false });
    assert.deepEqual(await get('/api/v4/projects/1/packages/apikeyfmt/x', { 'private-token': 'pat', 'x-test-apikey': 'key' }), { credential: 'pat', packageClient: true });
  });
});

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchIssuerJson, IssuerFetchError, MAX_DOCUMENT_BYTES, type IssuerFetchPolicy } from './issuer-fetch.js';

// The bounds on fetching an issuer's documents, against a real server on 127.0.0.1 that answers
// as each test says: size, JSON, redirects within the origin only, time, and the address policy.

const addresses = { allowPrivate: false, selfHost: '127.0.0.1', selfPort: 1, selfBaseUrl: 'http://127.0.0.1:1' };
const policy: IssuerFetchPolicy = { addresses, allowInsecure: true, timeoutMs: 300 };

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

async function failure(promise: Promise<unknown>): Promise<IssuerFetchError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof IssuerFetchError, `expected an IssuerFetchError, got ${String(error)}`);
  return error;
}

describe('fetchIssuerJson', () => {
  let issuer: { server: Server; url: string };
  let elsewhere: { server: Server; url: string };
  const served: string[] = [];

  before(async () => {
    elsewhere = await listen((_request, response) => response.end('{"stolen":true}'));
    issuer = await listen((request, response) => {
      served.push(request.url ?? '');
      switch (request.url) {
        case '/doc':
          return response.end('{"ok":true}');
        case '/moved':
          return response.writeHead(302, { location: '/doc' }).end();
        case '/away':
          return response.writeHead(302, { location: `${elsewhere.url}/doc` }).end();
        case '/loop':
          return response.writeHead(302, { location: '/loop' }).end();
        case '/huge':
          return response.end(`{"pad":"${'x'.repeat(MAX_DOCUMENT_BYTES)}"}`);
        case '/text':
          return response.end('<html>not json</html>');
        case '/silent':
          return; // never answers
        default:
          response.writeHead(404).end();
      }
    });
  });

  after(async () => {
    await close(issuer.server);
    await close(elsewhere.server);
  });

  it('reads a JSON document and follows a redirect within the same origin', async () => {
    assert.deepEqual(await fetchIssuerJson(new URL(`${issuer.url}/doc`), policy), { ok: true });
    assert.deepEqual(await fetchIssuerJson(new URL(`${issuer.url}/moved`), policy), { ok: true });
  });

  it('does not follow a redirect to another origin, nor more than three', async () => {
    assert.match((await failure(fetchIssuerJson(new URL(`${issuer.url}/away`), policy))).message, /another origin/);
    served.length = 0;
    assert.equal((await failure(fetchIssuerJson(new URL(`${issuer.url}/loop`), policy))).kind, 'unreachable');
    assert.equal(served.length, 4);
  });

  it('refuses a document over 256 KB, one that is not JSON, an error status and no answer in time', async () => {
    const why = { '/huge': /more than 262144 bytes/, '/text': /did not answer with JSON/, '/missing': /HTTP 404/, '/silent': /no answer within 300 ms/ };
    for (const [path, message] of Object.entries(why)) {
      const error = await failure(fetchIssuerJson(new URL(`${issuer.url}${path}`), policy));
      assert.equal(error.kind, 'unreachable', path);
      assert.match(error.message, message);
    }
  });

  it('refuses loopback without the opt-in, link-local always, plain http off loopback, and Trove itself', async () => {
    const strict = { ...policy, allowInsecure: false };
    served.length = 0;
    assert.equal((await failure(fetchIssuerJson(new URL(`${issuer.url}/doc`), strict))).kind, 'address_refused');
    const port = new URL(issuer.url).port;
    const refused = await failure(fetchIssuerJson(new URL(`https://localhost:${port}/doc`), strict));
    assert.equal(refused.kind, 'address_refused');
    assert.match(refused.message, /TROVE_OIDC_ALLOW_INSECURE_ISSUERS/);
    assert.equal((await failure(fetchIssuerJson(new URL('https://169.254.169.254/latest'), policy))).kind, 'address_refused');
    assert.equal((await failure(fetchIssuerJson(new URL('http://10.1.2.3/doc'), policy))).kind, 'address_refused');
    const behindProxy = { ...policy, addresses: { ...addresses, selfBaseUrl: 'https://trove.example.com' } };
    assert.match((await failure(fetchIssuerJson(new URL('https://trove.example.com/.well-known/openid-configuration'), behindProxy))).message, /Trove server itself/);
    assert.deepEqual(served, []);
  });
});

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

// An OIDC issuer for tests, as a CI system runs one (GitLab CI, GitHub Actions): an HTTP server on
// 127.0.0.1 serving the discovery document and the JWKS, with keys made for this issuer, minting
// ID tokens shaped like GitLab's and GitHub's. Trove reaches it with TROVE_OIDC_ALLOW_INSECURE_ISSUERS=1.
//
//   const issuer = await startOidcIssuer();
//   const token = await issuer.mint(issuer.gitlabClaims({ project_path: 'acme/app' }), { audience: trove.url });

export type SigningAlgorithm = 'RS256' | 'ES256';

export interface MintOptions {
  alg?: SigningAlgorithm;
  /** The kid put in the header (default: the current key's); a kid the JWKS lacks makes an "unknown key" token. */
  kid?: string;
  /** Seconds from iat to exp (default 300). */
  expiresIn?: number;
  /** nbf, seconds since the epoch (default: none). */
  notBefore?: number;
  /** iat, seconds since the epoch (default: now). */
  iat?: number;
  /** aud (default: the claims' aud, else the issuer's `audience` option, else "trove"). */
  audience?: string | string[];
}

export interface OidcIssuer {
  /** The issuer URL (the tokens' iss), http://127.0.0.1:<port>. */
  url: string;
  mint(claims: Record<string, unknown>, opts?: MintOptions): Promise<string>;
  /** Claims as GitLab CI puts them in a job's ID token; `overrides` replace or add any. */
  gitlabClaims(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Claims as GitHub Actions puts them in a job's ID token. */
  githubClaims(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** New keys with new kids; the JWKS serves only them from now on. */
  rotateKeys(): Promise<void>;
  /** false: every request is answered 503 (an outage at the issuer) until set back to true. */
  setAvailable(available: boolean): void;
  /** Requests served, by path (the discovery document, the JWKS): how often Trove fetched them. */
  requests: string[];
  close(): Promise<void>;
}

export interface IssuerOptions {
  /** The aud of minted tokens unless the claims or `mint`'s options say otherwise (default "trove"). */
  audience?: string | string[];
  /** The `issuer` the discovery document names (default: the issuer's own URL). */
  discoveryIssuer?: (url: string) => string;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

let generation = 0;

async function makeKey(alg: SigningAlgorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${++generation}`;
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

async function makeKeys(): Promise<Record<SigningAlgorithm, SigningKey>> {
  return { RS256: await makeKey('RS256'), ES256: await makeKey('ES256') };
}

export async function startOidcIssuer(options: IssuerOptions = {}): Promise<OidcIssuer> {
  let keys = await makeKeys();
  const requests: string[] = [];
  let url = '';
  let available = true;
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', url).pathname;
    requests.push(path);
    if (!available) return response.writeHead(503).end();
    const json = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') {
      return json({
        issuer: options.discoveryIssuer ? options.discoveryIssuer(url) : url,
        jwks_uri: `${url}/oauth/discovery/keys`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      });
    }
    if (path === '/oauth/discovery/keys') return json({ keys: [keys.RS256.publicJwk, keys.ES256.publicJwk] });
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    async mint(claims, opts = {}) {
      const alg = opts.alg ?? 'RS256';
      const key = keys[alg];
      const iat = opts.iat ?? Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = { iss: url, aud: options.audience ?? 'trove', jti: randomUUID(), iat, exp: iat + (opts.expiresIn ?? 300), ...claims };
      if (opts.audience !== undefined) payload.aud = opts.audience;
      if (opts.notBefore !== undefined) payload.nbf = opts.notBefore;
      return new SignJWT(payload).setProtectedHeader({ alg, kid: opts.kid ?? key.kid, typ: 'JWT' }).sign(key.privateKey);
    },
    gitlabClaims(overrides = {}) {
      const projectPath = String(overrides.project_path ?? 'acme/app');
      const ref = String(overrides.ref ?? 'main');
      const refType = String(overrides.ref_type ?? 'branch');
      const [namespacePath] = projectPath.split(/\/(?=[^/]*$)/);
      return {
        sub: `project_path:${projectPath}:ref_type:${refType}:ref:${ref}`,
        namespace_id: '7',
        namespace_path: namespacePath,
        project_id: '42',
        project_path: projectPath,
        user_id: '3',
        user_login: 'ci-user',
        user_email: 'ci-user@example.com',
        pipeline_id: '1001',
        pipeline_source: 'push',
        job_id: '5001',
        ref,
        ref_type: refType,
        ref_path: `refs/${refType === 'tag' ? 'tags' : 'heads'}/${ref}`,
        ref_protected: 'true',
        sha: 'a'.repeat(40),
        runner_id: 1,
        runner_environment: 'gitlab-hosted',
        ...overrides,
      };
    },
    githubClaims(overrides = {}) {
      const repository = String(overrides.repository ?? 'acme/app');
      const ref = String(overrides.ref ?? 'refs/heads/main');
      const [owner] = repository.split('/');
      // A job in an environment gets the environment in its subject instead of the ref.
      const environment = overrides.environment;
      return {
        sub: environment ? `repo:${repository}:environment:${String(environment)}` : `repo:${repository}:ref:${ref}`,
        repository,
        repository_id: '123456',
        repository_owner: owner,
        repository_owner_id: '654321',
        repository_visibility: 'private',
        actor: 'octocat',
        actor_id: '1',
        workflow: 'release',
        workflow_ref: `${repository}/.github/workflows/release.yml@${ref}`,
        workflow_sha: 'b'.repeat(40),
        job_workflow_ref: `${repository}/.github/workflows/release.yml@${ref}`,
        ref,
        ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
        sha: 'b'.repeat(40),
        run_id: '9001',
        run_number: '17',
        run_attempt: '1',
        event_name: 'push',
        runner_environment: 'github-hosted',
        ...overrides,
      };
    },
    setAvailable(value) {
      available = value;
    },
    async rotateKeys() {
      keys = await makeKeys();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

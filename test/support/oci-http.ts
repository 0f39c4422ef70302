import type { RegistryCredentials } from './oci-images.js';

// The OCI Distribution API over plain HTTP (fetch), as the distribution-spec conformance suite
// speaks it: every request a method, a path or an upload Location (absolute or relative), query
// parameters and headers; every answer its status, headers and bytes. Bearer tokens come from the
// realm the registry names in its 401 challenge, as skopeo and podman get theirs.

export interface OciResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The body as JSON (undefined when it is not JSON). */
  json: any;
  /** The `Location` header resolved against the registry, keeping its query (upload state). */
  location: string | undefined;
}

export interface OciRequest {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: Buffer | string;
}

export class OciClient {
  constructor(
    readonly baseUrl: string,
    readonly auth: Record<string, string> = {},
  ) {}

  async request(method: string, pathOrLocation: string, options: OciRequest = {}): Promise<OciResponse> {
    const url = new URL(pathOrLocation, this.baseUrl);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const res = await fetch(url, { method, headers: { ...this.auth, ...options.headers }, body: options.body as BodyInit | undefined });
    const body = Buffer.from(await res.arrayBuffer());
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      // not JSON
    }
    const location = res.headers.get('location');
    return { status: res.status, headers: res.headers, body, json, location: location === null ? undefined : new URL(location, this.baseUrl).href };
  }

  /** POST an upload, then PUT the whole blob with `?digest=` (the conformance suite's way to populate a registry). */
  async pushBlob(name: string, bytes: Buffer, digest: string): Promise<OciResponse> {
    const started = await this.request('POST', `/v2/${name}/blobs/uploads/`);
    if (started.status !== 202 || !started.location) throw new Error(`POST /v2/${name}/blobs/uploads/: ${started.status} ${started.body}`);
    return this.request('PUT', started.location, { query: { digest }, headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  }

  putManifest(name: string, reference: string, bytes: Buffer, mediaType: string): Promise<OciResponse> {
    return this.request('PUT', `/v2/${name}/manifests/${reference}`, { headers: { 'content-type': mediaType }, body: bytes });
  }
}

/** The parameters of a `WWW-Authenticate: Bearer realm="...",service="...",scope="..."` challenge. */
export function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header?.toLowerCase().startsWith('bearer ')) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice('bearer '.length).matchAll(/(\w+)="([^"]*)"/g)) params[match[1]] = match[2];
  return params;
}

/**
 * A bearer token for `scopes` (e.g. `repository:acme/web-app/api:pull,push,delete`): `GET /v2/`
 * for the challenge, then its realm with HTTP Basic, as the docker token flow does.
 */
export async function registryToken(baseUrl: string, credentials: RegistryCredentials, scopes: string[]): Promise<string> {
  const ping = await fetch(`${baseUrl}/v2/`);
  await ping.arrayBuffer();
  const challenge = bearerChallenge(ping.headers.get('www-authenticate'));
  if (ping.status !== 401 || !challenge?.realm) throw new Error(`GET /v2/ gave ${ping.status} without a Bearer challenge`);
  const realm = new URL(challenge.realm);
  if (challenge.service) realm.searchParams.set('service', challenge.service);
  realm.searchParams.set('account', credentials.username);
  for (const scope of scopes) realm.searchParams.append('scope', scope);
  const basic = Buffer.from(`${credentials.username}:${credentials.token}`).toString('base64');
  const res = await fetch(realm, { headers: { authorization: `Basic ${basic}` } });
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (res.status !== 200 || !token) throw new Error(`GET ${realm}: ${res.status} ${JSON.stringify(body)}`);
  return token;
}

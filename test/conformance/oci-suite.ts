import assert from 'node:assert/strict';
import type { OciClient, OciResponse } from '../support/oci-http.js';
import { ERROR_CODES, type ConformanceFixtures } from './oci-fixtures.js';
import type { Gap, OciTarget } from './oci-targets.js';

// What every group of OCI conformance checks (pull, push, discovery, management) is given: the
// target, a client for its /v2/ (made in the suite's before()), the test content, and the names.

export interface Suite {
  target: OciTarget;
  /** Valid once the target has started. */
  client(): OciClient;
  fx: ConformanceFixtures;
  name: string;
  crossmountName: string;
}

/** `it` options for a check a target is known to fail: run it, reported as TODO with the reason. */
export function knownGap(supported: boolean, reason: string): { todo?: string } {
  return supported ? {} : { todo: reason };
}

/** The same for a gap the target lists in its knownGaps. */
export function listedGap(suite: Suite, gap: Gap): { todo?: string } {
  const reason = suite.target.knownGaps[gap];
  return reason ? { todo: reason } : {};
}

const describeResponse = (res: OciResponse) => `${res.status} ${res.body.toString('utf8').slice(0, 300)}`;

export function expectStatus(res: OciResponse, ...statuses: number[]): void {
  assert.ok(statuses.includes(res.status), `expected ${statuses.join(' or ')}, got ${describeResponse(res)}`);
}

/** A 4xx body in the spec's shape: `{"errors":[{"code": <one of the spec's codes>, ...}]}`. */
export function expectErrorCode(res: OciResponse, code?: string): void {
  const first = (res.json as { errors?: { code?: string }[] } | undefined)?.errors?.[0]?.code;
  assert.ok(first && ERROR_CODES.includes(first), `not an OCI error body: ${describeResponse(res)}`);
  if (code) assert.equal(first, code);
}

/** Teardown deletes: done (2xx), already gone (404) or not allowed here (405) are all fine, as in the suite. */
export function expectDeleted(res: OciResponse): void {
  assert.ok((res.status >= 200 && res.status < 300) || res.status === 404 || res.status === 405, `delete: ${describeResponse(res)}`);
}

/** Location of an upload session: POST /v2/<name>/blobs/uploads/ answered 202 with one. */
export async function startUpload(suite: Suite, name = suite.name): Promise<string> {
  const res = await suite.client().request('POST', `/v2/${name}/blobs/uploads/`, { headers: { 'content-length': '0' } });
  expectStatus(res, 202);
  assert.ok(res.location, 'an upload session has a Location');
  return res.location;
}

/** Pushes a blob as the suite's setup steps do, failing unless the registry answers 2xx. */
export async function populateBlob(suite: Suite, blob: { bytes: Buffer; digest: string }): Promise<void> {
  const res = await suite.client().pushBlob(suite.name, blob.bytes, blob.digest);
  assert.ok(res.status >= 200 && res.status < 300, `populate blob ${blob.digest}: ${describeResponse(res)}`);
}

export async function populateManifest(suite: Suite, reference: string, manifest: { bytes: Buffer }, mediaType: string): Promise<OciResponse> {
  const res = await suite.client().putManifest(suite.name, reference, manifest.bytes, mediaType);
  assert.ok(res.status >= 200 && res.status < 300, `populate manifest ${reference}: ${describeResponse(res)}`);
  return res;
}

export async function deleteManifests(suite: Suite, digests: string[]): Promise<void> {
  for (const digest of digests) expectDeleted(await suite.client().request('DELETE', `/v2/${suite.name}/manifests/${digest}`));
}

export async function deleteBlobs(suite: Suite, digests: string[]): Promise<void> {
  for (const digest of digests) expectDeleted(await suite.client().request('DELETE', `/v2/${suite.name}/blobs/${digest}`));
}

/** The `tags` of a tags/list answer. */
export function tagsOf(res: OciResponse): string[] {
  expectStatus(res, 200);
  return (res.json as { tags?: string[] | null }).tags ?? [];
}


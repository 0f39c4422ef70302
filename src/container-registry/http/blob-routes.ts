import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../core/errors.js';
import { assertDeclaredSize, type RawUploadBody } from '../../formats/format-upload.js';
import { auditContextOf } from '../../http/request-context.js';
import { appendPart, assembleUpload, assertContinues, endUpload, findUpload, startUpload, type UploadRow } from '../blob-uploads.js';
import { digestOf, isDigest, sha256Of } from '../digests.js';
import { ociError } from '../oci-errors.js';
import { authorizeRegistry, registryCallerOf } from '../registry-auth.js';
import { findBlobLink, findRepository } from '../registry-reads.js';
import { isRepositoryName, locateRepository, type RepositoryLocation } from '../repository-names.js';
import { byteRangeOf, sliceOf } from './byte-ranges.js';
import { authorizedRepository, type RegistryEnv } from './registry-request.js';

// Blobs: HEAD/GET/DELETE /v2/<name>/blobs/<digest>, and uploads: POST /v2/<name>/blobs/uploads/
// (plain, monolithic with ?digest=, cross-repository mount with ?mount=&from=), then PATCH, PUT
// ?digest=, GET (status) and DELETE (cancel) on /v2/<name>/blobs/uploads/<uuid>.

const empty: AsyncIterable<Uint8Array> = (async function* () {})();

function uploadLocation(name: string, uuid: string): string {
  return `/v2/${name}/blobs/uploads/${uuid}`;
}

function digestParam(query: unknown): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.digest;
  return typeof value === 'string' ? value : undefined;
}

/** Where the upload stands: 202 (PATCH, POST) or 204 (GET) with Location, Range and the upload's id. */
function sendUploadState(reply: FastifyReply, name: string, upload: UploadRow, status: 202 | 204) {
  const received = Number(upload.received);
  return reply
    .status(status)
    .header('location', uploadLocation(name, upload.uuid))
    .header('range', `0-${Math.max(received - 1, 0)}`)
    .header('docker-upload-uuid', upload.uuid)
    .header('content-length', '0')
    .send();
}

function sendBlobCreated(reply: FastifyReply, name: string, digest: string) {
  return reply.status(201).header('location', `/v2/${name}/blobs/${digest}`).header('docker-content-digest', digest).header('content-length', '0').send();
}

/** Stores the request body as the upload's next part; a refusal while streaming drains the rest (as format-upload.ts does). */
async function receivePart(env: RegistryEnv, request: FastifyRequest, upload: UploadRow): Promise<UploadRow> {
  const max = env.ctx.config.containerMaxBlobBytes;
  assertDeclaredSize(request, max - Number(upload.received));
  const body = request.body as RawUploadBody;
  try {
    return await appendPart(env.ctx.db, env.ctx.blobs, upload, body ? body.iterator({ destroyOnReturn: false }) : empty, max);
  } catch (error) {
    if (request.raw.readableAborted) throw errors.badRequest('Upload incomplete: the connection closed early');
    body?.resume();
    throw error;
  }
}

/** Ends the upload as the blob `digest`: verified, linked into the repository, the upload gone. */
async function completeUpload(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, location: RepositoryLocation, upload: UploadRow, digest: string) {
  const sha256 = sha256Of(digest);
  let blob;
  try {
    blob = await assembleUpload(env.ctx.db, env.ctx.blobs, upload, sha256, env.ctx.config.containerMaxBlobBytes);
  } catch (error) {
    await endUpload(env.ctx.db, upload.uuid);
    throw error;
  }
  await env.registry.write(auditContextOf(request), location, (writer) => writer.linkBlob(digest, blob, upload.uuid));
  return sendBlobCreated(reply, location.name, digest);
}

/** ?mount=<digest>&from=<repository>: links the blob when the caller may pull it from there; false when it cannot. */
async function mountBlob(env: RegistryEnv, request: FastifyRequest, location: RepositoryLocation, digest: string, from: string): Promise<boolean> {
  if (!isRepositoryName(from)) return false;
  const source = await locateRepository(env.ctx.db, from);
  if (!source) return false;
  try {
    await authorizeRegistry(env.ctx.db, registryCallerOf(request), source, 'pull');
  } catch {
    return false;
  }
  const repository = await findRepository(env.ctx.db, from);
  const link = repository ? await findBlobLink(env.ctx.db, repository.id, digest) : undefined;
  if (!link) return false;
  await env.registry.write(auditContextOf(request), location, (writer) => writer.linkBlob(digest, { sha256: link.blob_sha256, size: Number(link.size) }));
  return true;
}

export async function startBlobUpload(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, name: string) {
  const location = await authorizedRepository(env, request, name, 'push');
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (query.mount !== undefined) {
    // A mount that cannot be made (no such blob there, no right to pull it, no `from`) is a normal upload.
    const { mount, from } = query;
    if (typeof mount === 'string' && typeof from === 'string' && isDigest(mount) && (await mountBlob(env, request, location, mount, from))) {
      (request.body as RawUploadBody)?.resume();
      return sendBlobCreated(reply, name, mount);
    }
    return sendUploadState(reply, name, await startUpload(env.ctx.db, location.project.id, name), 202);
  }
  const digest = digestParam(request.query);
  if (digest !== undefined) sha256Of(digest);
  const upload = await startUpload(env.ctx.db, location.project.id, name);
  if (digest === undefined) return sendUploadState(reply, name, upload, 202);
  return completeUpload(env, request, reply, location, await receivePart(env, request, upload), digest);
}

export async function continueBlobUpload(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, name: string, uuid: string) {
  const method = request.method;
  // An upload in progress is the pusher's business, its status included.
  const location = await authorizedRepository(env, request, name, 'push');
  const upload = await findUpload(env.ctx.db, name, uuid);
  if (method === 'GET') return sendUploadState(reply, name, upload, 204);
  if (method === 'DELETE') {
    await endUpload(env.ctx.db, upload.uuid);
    return reply.status(204).send();
  }
  const contentRange = request.headers['content-range'];
  assertContinues(upload, typeof contentRange === 'string' ? contentRange : undefined);
  const received = await receivePart(env, request, upload);
  if (method === 'PATCH') return sendUploadState(reply, name, received, 202);
  const digest = digestParam(request.query);
  if (digest === undefined) throw ociError('DIGEST_INVALID', 'the digest parameter is missing');
  return completeUpload(env, request, reply, location, received, digest);
}

export async function serveBlob(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, name: string, digest: string) {
  const location = await authorizedRepository(env, request, name, request.method === 'DELETE' ? 'delete' : 'pull', `${name}@${digest}`);
  sha256Of(digest);
  const repository = await findRepository(env.ctx.db, name);
  if (request.method === 'DELETE') {
    if (!repository) throw ociError('BLOB_UNKNOWN', 'blob unknown to registry');
    await env.registry.write(auditContextOf(request), location, (writer) => writer.unlinkBlob(repository, digest));
    return reply.status(202).header('content-length', '0').send();
  }
  const link = repository ? await findBlobLink(env.ctx.db, repository.id, digest) : undefined;
  if (!link) throw ociError('BLOB_UNKNOWN', 'blob unknown to registry');
  const size = Number(link.size);
  reply.header('content-type', 'application/octet-stream').header('docker-content-digest', digestOf(link.blob_sha256)).header('accept-ranges', 'bytes');
  const range = request.method === 'GET' ? byteRangeOf(request.headers.range, size) : null;
  if (range) {
    reply.header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', String(range.end - range.start + 1));
    return reply.status(206).send(sliceOf(await env.ctx.blobs.openForDownload(link.blob_sha256, size), range));
  }
  reply.header('content-length', String(size));
  if (request.method === 'HEAD') return reply.status(200).send();
  return reply.status(200).send(await env.ctx.blobs.openForDownload(link.blob_sha256, size));
}

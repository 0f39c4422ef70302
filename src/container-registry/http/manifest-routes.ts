import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { projectScope } from '../../core/audit/audit-scope.js';
import { errors } from '../../core/errors.js';
import { assertDeclaredSize, readSmallBody, type RawUploadBody } from '../../formats/format-upload.js';
import { auditContextOf } from '../../http/request-context.js';
import { assertTag, digestOf, isDigest, sha256Of } from '../digests.js';
import { accepts, parseManifest } from '../manifests.js';
import { ociError } from '../oci-errors.js';
import { findManifest, findRepository, type ContainerManifestRow } from '../registry-reads.js';
import type { RepositoryLocation } from '../repository-names.js';
import { authorizedRepository, type RegistryEnv } from './registry-request.js';

// GET|HEAD|PUT|DELETE /v2/<name>/manifests/<tag or digest>.

function describe(name: string, reference: string): string {
  return isDigest(reference) ? `${name}@${reference}` : `${name}:${reference}`;
}

async function pushManifest(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, location: RepositoryLocation, reference: string) {
  const max = env.ctx.config.maxManifestBytes;
  assertDeclaredSize(request, max);
  const bytes = await readSmallBody(request.body as RawUploadBody, max);
  const digest = digestOf(createHash('sha256').update(bytes).digest('hex'));
  const tag = isDigest(reference) ? null : assertTag(reference);
  if (tag === null && reference !== digest) throw ociError('DIGEST_INVALID', `manifest digest ${digest} does not match ${reference.slice(0, 160)}`);
  const contentType = request.headers['content-type'];
  const parsed = parseManifest(bytes, typeof contentType === 'string' ? contentType : undefined);
  const blob = await env.ctx.blobs.put(bytes);
  await env.registry.write(auditContextOf(request), location, (writer) => writer.pushManifest({ digest, blob, parsed, tag }));
  if (parsed.subjectDigest) reply.header('oci-subject', parsed.subjectDigest);
  return reply.status(201).header('location', `/v2/${location.name}/manifests/${digest}`).header('docker-content-digest', digest).header('content-length', '0').send();
}

async function deleteManifest(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, location: RepositoryLocation, reference: string) {
  const repository = await findRepository(env.ctx.db, location.name);
  if (!repository) throw ociError('MANIFEST_UNKNOWN', 'manifest unknown to registry');
  await env.registry.write(auditContextOf(request), location, (writer) =>
    isDigest(reference) ? writer.deleteManifest(repository, reference) : writer.deleteTag(repository, reference),
  );
  return reply.status(202).header('content-length', '0').send();
}

/** A pull by a client is audited when the namespace records downloads (download-events.ts). */
async function notePull(env: RegistryEnv, request: FastifyRequest, location: RepositoryLocation, manifest: ContainerManifestRow, reference: string): Promise<void> {
  const recording = await env.ctx.downloadEvents.recordingFor(location.project);
  if (!recording) return;
  const tag = isDigest(reference) ? null : reference;
  env.ctx.downloadEvents.enqueueEvent(auditContextOf(request), {
    eventName: 'container_registry_image_pulled',
    scope: projectScope(location.project, recording.namespace),
    project: { id: location.project.id, full_path: location.project.full_path },
    package: {
      id: manifest.repository_id,
      format: 'container',
      name: location.name,
      version: tag ?? manifest.digest,
      files: [{ file_name: manifest.digest, size: Number(manifest.size), sha256: sha256Of(manifest.digest) }],
    },
    target: { id: manifest.id, type: 'ContainerRegistry::Manifest', details: describe(location.name, reference) },
    customMessage: `container image ${describe(location.name, reference)} pulled`,
  });
}

async function serveManifest(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, location: RepositoryLocation, reference: string) {
  const repository = await findRepository(env.ctx.db, location.name);
  const manifest = repository ? await findManifest(env.ctx.db, repository.id, reference) : undefined;
  if (!manifest) throw ociError('MANIFEST_UNKNOWN', 'manifest unknown to registry');
  const accept = request.headers.accept;
  if (!accepts(typeof accept === 'string' ? accept : undefined, manifest.media_type)) {
    throw ociError('MANIFEST_UNKNOWN', `manifest found, but the Accept header does not take ${manifest.media_type}`);
  }
  reply.header('content-type', manifest.media_type).header('docker-content-digest', manifest.digest).header('etag', `"${manifest.digest}"`).header('content-length', String(manifest.size));
  if (request.method === 'HEAD') return reply.status(200).send();
  const bytes = await env.ctx.blobs.openForDownload(manifest.blob_sha256, Number(manifest.size));
  await notePull(env, request, location, manifest, reference);
  return reply.status(200).send(bytes);
}

export async function handleManifest(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, name: string, reference: string) {
  const action = request.method === 'PUT' ? 'push' : request.method === 'DELETE' ? 'delete' : 'pull';
  const location = await authorizedRepository(env, request, name, action, describe(name, reference));
  if (isDigest(reference)) sha256Of(reference);
  switch (request.method) {
    case 'PUT':
      return pushManifest(env, request, reply, location, reference);
    case 'DELETE':
      return deleteManifest(env, request, reply, location, reference);
    case 'GET':
    case 'HEAD':
      return serveManifest(env, request, reply, location, reference);
    default:
      throw errors.notFound();
  }
}

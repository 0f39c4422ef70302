import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../core/errors.js';
import { sha256Of } from '../digests.js';
import { OCI_INDEX } from '../manifests.js';
import { ociError } from '../oci-errors.js';
import { findRepository, referrersOf, repositoryPage, tagPage } from '../registry-reads.js';
import { authorizedRepository, nextLink, pageQuery, type RegistryEnv } from './registry-request.js';

// GET /v2/<name>/tags/list, GET /v2/<name>/referrers/<digest> and GET /v2/_catalog.

export async function listTags(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, name: string) {
  await authorizedRepository(env, request, name, 'pull');
  const { n, last } = pageQuery(request.query);
  const repository = await findRepository(env.ctx.db, name);
  if (!repository) throw ociError('NAME_UNKNOWN', 'repository name not known to registry');
  const page = await tagPage(env.ctx.db, repository.id, last, n);
  if (page.more && n !== null) reply.header('link', nextLink(`/v2/${name}/tags/list`, page.names[page.names.length - 1]!, n));
  return reply.status(200).header('content-type', 'application/json').send({ name, tags: page.names });
}

export async function listReferrers(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply, name: string, digest: string) {
  await authorizedRepository(env, request, name, 'pull');
  sha256Of(digest);
  const query = (request.query ?? {}) as Record<string, unknown>;
  const artifactType = typeof query.artifactType === 'string' && query.artifactType !== '' ? query.artifactType : null;
  const repository = await findRepository(env.ctx.db, name);
  const referrers = repository ? await referrersOf(env.ctx.db, repository.id, digest, artifactType) : [];
  if (artifactType !== null) reply.header('oci-filters-applied', 'artifactType');
  const manifests = referrers.map((m) => ({
    mediaType: m.media_type,
    digest: m.digest,
    size: Number(m.size),
    ...(m.artifact_type ? { artifactType: m.artifact_type } : {}),
    ...(m.annotations ? { annotations: JSON.parse(m.annotations) as Record<string, string> } : {}),
  }));
  // As bytes: Fastify would add "; charset=utf-8" to a string, and clients compare the media type exactly.
  return reply.status(200).header('content-type', OCI_INDEX).send(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })));
}

/** Every repository of the instance: administrators only. */
export async function listCatalog(env: RegistryEnv, request: FastifyRequest, reply: FastifyReply) {
  if (request.principal.kind === 'anonymous') throw errors.unauthorized();
  if (request.principal.kind !== 'user' || request.principal.user.is_admin !== 1) throw errors.forbidden('the catalog is for administrators');
  const { n, last } = pageQuery(request.query);
  const page = await repositoryPage(env.ctx.db, last, n);
  if (page.more && n !== null) reply.header('link', nextLink('/v2/_catalog', page.names[page.names.length - 1]!, n));
  return reply.status(200).header('content-type', 'application/json').send({ repositories: page.names });
}

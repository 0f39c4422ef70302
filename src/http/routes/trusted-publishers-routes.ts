import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireApiUser } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { insecureIssuersAllowed, PUBLISHER_LIMITS, type PublisherFields } from '../../core/oidc/trusted-publisher-fields.js';
import { createPublisher, deletePublisher, inheritedPublishers, publishersOf, updatePublisher, type PublisherOwner } from '../../core/oidc/trusted-publisher-store.js';
import type { TrustedPublisher as PublisherRow } from '../../core/oidc/trusted-publishers.js';
import { TrustedPublisher, type InheritedFrom } from '../../contracts/trusted-publishers.js';
import { FORMATS } from '../../formats/index.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup, visibleProject } from '../loaders.js';
import { listQuery, paginateArray } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, nullableText, oneOfValues, paramsOf, text, type Static } from '../schemas.js';

/** A publisher may limit its token to one format's packages, or to container images. */
const PACKAGE_TYPES = [...FORMATS.map((format) => format.name), 'container'];

const publisherFields = {
  issuer: text(PUBLISHER_LIMITS.issuerLength),
  audience: text(PUBLISHER_LIMITS.audienceLength),
  claims: Type.Unsafe<Record<string, unknown>>({ type: 'object', maxProperties: PUBLISHER_LIMITS.conditions }),
  package_type: Type.Unsafe<string | null>({ enum: [...PACKAGE_TYPES, null] }),
  package_name_pattern: nullableText(255),
};
const newPublisher = bodyOf(publisherFields, ['issuer', 'claims']);
const publisherChange = bodyOf(publisherFields);
const byOwner = paramsOf('id');
const byPublisher = paramsOf('id', 'publisher_id');
const NOT_FOUND = 'Trusted Publisher';

export function publisherToApi(publisher: PublisherRow, inheritedFrom: InheritedFrom | null = null): TrustedPublisher {
  return { ...publisher, inherited_from: inheritedFrom };
}

type Body = NonNullable<Static<typeof publisherChange>>;

function patchOf(body: Body | null): Partial<PublisherFields> {
  const given = body ?? {};
  return {
    issuer: given.issuer,
    audience: given.audience,
    claims: given.claims as Record<string, string> | undefined,
    package_type: given.package_type,
    package_name_pattern: given.package_name_pattern === '' ? null : given.package_name_pattern,
  };
}

/**
 * Trusted publishers of a project and of a group (inherited by every project below it),
 * docs/api.md#trusted-publishers. Maintainers read them, owners and administrators change them; a
 * caller who may not see the project or group gets 404. A project's list also shows the
 * publishers of the groups above it, with `inherited_from`; those are changed on the group.
 */
export function registerTrustedPublisherRoutes(app: Api, ctx: AppContext): void {
  const saveOptions = () => ({ allowInsecureIssuers: insecureIssuersAllowed() });

  async function ownerFor(request: FastifyRequest, kind: PublisherOwner['kind'], ref: string, write: boolean): Promise<PublisherOwner> {
    requireApiUser(request.principal, write);
    const needed = write ? AccessLevel.owner : AccessLevel.maintainer;
    if (kind === 'project') {
      const { project, level } = await visibleProject(ctx, request, ref);
      if (level < needed) throw errors.forbidden();
      return { kind, project };
    }
    const { group, level } = await visibleGroup(ctx, request, ref);
    if (level < needed) throw errors.forbidden();
    return { kind, group };
  }

  /** The owner's own publishers, then (for a project) those it inherits. */
  async function listed(owner: PublisherOwner): Promise<TrustedPublisher[]> {
    const own = (await publishersOf(ctx.db, owner)).map((publisher) => publisherToApi(publisher));
    if (owner.kind === 'group') return own;
    const inherited = await inheritedPublishers(ctx.db, owner.project);
    return [...own, ...inherited.map(({ publisher, group }) => publisherToApi(publisher, group))];
  }

  for (const kind of ['project', 'group'] as const) {
    const path = `/api/v4/${kind}s/:id/packages/trusted_publishers`;

    app.get(path, { schema: { params: byOwner, querystring: listQuery(), response: { 200: Type.Array(TrustedPublisher) } } }, async (request, reply) => {
      const owner = await ownerFor(request, kind, request.params.id, false);
      return paginateArray(request, reply, ctx.config.baseUrl, await listed(owner));
    });

    app.get(`${path}/:publisher_id`, { schema: { params: byPublisher, response: { 200: TrustedPublisher } } }, async (request) => {
      const owner = await ownerFor(request, kind, request.params.id, false);
      const publisherId = idParam(request.params.publisher_id, NOT_FOUND);
      const found = (await listed(owner)).find((publisher) => publisher.id === publisherId);
      if (!found) throw errors.notFound(`404 ${NOT_FOUND} Not Found`);
      return found;
    });

    app.post(path, { schema: { params: byOwner, body: newPublisher, response: { 201: TrustedPublisher } } }, async (request, reply) => {
      const owner = await ownerFor(request, kind, request.params.id, true);
      const user = requireApiUser(request.principal, true);
      const patch = patchOf(request.body);
      const fields: PublisherFields = {
        issuer: patch.issuer ?? '',
        audience: patch.audience ?? ctx.config.baseUrl,
        claims: patch.claims ?? {},
        package_type: patch.package_type ?? null,
        package_name_pattern: patch.package_name_pattern ?? null,
      };
      const publisher = await createPublisher(ctx.db, ctx.audit, auditContextOf(request), owner, fields, user.user.id, saveOptions());
      return reply.status(201).send(publisherToApi(publisher));
    });

    app.patch(`${path}/:publisher_id`, { schema: { params: byPublisher, body: publisherChange, response: { 200: TrustedPublisher } } }, async (request) => {
      const owner = await ownerFor(request, kind, request.params.id, true);
      const publisherId = idParam(request.params.publisher_id, NOT_FOUND);
      return publisherToApi(await updatePublisher(ctx.db, ctx.audit, auditContextOf(request), owner, publisherId, patchOf(request.body), saveOptions()));
    });

    app.delete(`${path}/:publisher_id`, { schema: { params: byPublisher } }, async (request, reply) => {
      const owner = await ownerFor(request, kind, request.params.id, true);
      await deletePublisher(ctx.db, ctx.audit, auditContextOf(request), owner, idParam(request.params.publisher_id, NOT_FOUND));
      return reply.status(204).send();
    });
  }
}

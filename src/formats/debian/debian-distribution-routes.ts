import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { authorizeGroupRead, authorizeProject, requireApiUser } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { visibleGroup, visibleProject } from '../../http/loaders.js';
import { listQuery, paginateArray } from '../../http/pagination.js';
import { auditContextOf } from '../../http/request-context.js';
import { bodyOf, nullableText, paramsOf, text, type Static } from '../../http/schemas.js';
import { registryGroup, registryProject } from '../registry-project.js';
import {
  createDistribution,
  deleteDistribution,
  distributionsOf,
  distributionToApi,
  findDistribution,
  updateDistribution,
  type DistributionFields,
  type DistributionOwner,
} from './debian-distributions.js';

// GitLab's Debian distributions API, of a project and of a group (docs/api.md#debian): reads for
// whoever may read the owner's packages, changes for its maintainers and owners, each change audited.

// A list is an array of names, or (as a form field) one string of names separated by spaces or commas.
const nameList = Type.Unsafe<string[] | string>({ anyOf: [{ type: 'array', items: { type: 'string', maxLength: 255 }, maxItems: 50 }, { type: 'string', maxLength: 2000 }] });
const distributionBody = {
  codename: text(255),
  suite: nullableText(255),
  origin: nullableText(255),
  label: nullableText(255),
  version: nullableText(255),
  description: nullableText(1000),
  valid_time_duration_seconds: Type.Unsafe<number | string | null>({ type: ['integer', 'string', 'null'] }),
  components: nameList,
  architectures: nameList,
};
const newDistribution = bodyOf(distributionBody, ['codename']);
const distributionChange = bodyOf(distributionBody);
const byOwner = paramsOf('id');
const byCodename = paramsOf('id', 'codename');
type Body = NonNullable<Static<typeof distributionChange>>;

function listOf(value: string[] | string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : value.split(/[\s,]+/).filter((name) => name !== '');
}

function seconds(value: number | string | null | undefined): number | null | undefined {
  if (value === undefined || value === null || value === '') return value === '' ? null : value;
  const number = typeof value === 'number' ? value : /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number)) throw errors.badRequest('valid_time_duration_seconds is invalid');
  return number;
}

function patchOf(body: Body | null): Partial<DistributionFields> {
  const given = body ?? {};
  return {
    codename: given.codename,
    suite: given.suite,
    origin: given.origin,
    label: given.label,
    version: given.version,
    description: given.description,
    valid_time_duration_seconds: seconds(given.valid_time_duration_seconds),
    components: listOf(given.components),
    architectures: listOf(given.architectures),
  };
}

type OwnerRequest = FastifyRequest & { params: { id: string } };

/** Where an owner's distributions are, and who may read and change them. */
interface OwnerRoutes {
  path: string;
  /** Reads: whoever may read the owner's packages (deploy and job tokens included, as apt's setup needs key.asc). */
  readable(request: OwnerRequest): Promise<DistributionOwner>;
  /** Changes: an API user (token with the api scope, or a web session) who is a maintainer or owner. */
  writable(request: OwnerRequest): Promise<DistributionOwner>;
}

export function registerDebianDistributionRoutes(app: Api, ctx: AppContext): void {
  registerDistributionRoutes(app, ctx, {
    path: '/api/v4/projects/:id/debian_distributions',
    async readable(request) {
      const project = await registryProject(ctx, request);
      await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
      return { kind: 'project', project };
    },
    async writable(request) {
      requireApiUser(request.principal, true);
      const { project, level } = await visibleProject(ctx, request, request.params.id);
      if (level < AccessLevel.maintainer) throw errors.forbidden();
      return { kind: 'project', project };
    },
  });
  // A group's: its apt source serves the packages its projects (and its subgroups') published to a distribution of the same codename.
  registerDistributionRoutes(app, ctx, {
    path: '/api/v4/groups/:id/-/debian_distributions',
    async readable(request) {
      const group = await registryGroup(ctx, request);
      await authorizeGroupRead(ctx.db, request.principal, group, 'registry');
      return { kind: 'group', group };
    },
    async writable(request) {
      requireApiUser(request.principal, true);
      const { group, level } = await visibleGroup(ctx, request, request.params.id);
      if (level < AccessLevel.maintainer) throw errors.forbidden();
      return { kind: 'group', group };
    },
  });
}

function registerDistributionRoutes(app: Api, ctx: AppContext, { path, readable, writable }: OwnerRoutes): void {
  async function found(owner: DistributionOwner, codename: string) {
    const row = await findDistribution(ctx.db, owner, codename);
    if (!row || row.codename !== codename) throw errors.notFound('404 Distribution Not Found');
    return row;
  }

  app.get(path, { schema: { params: byOwner, querystring: listQuery() } }, async (request, reply) => {
    const owner = await readable(request);
    return paginateArray(request, reply, ctx.config.baseUrl, (await distributionsOf(ctx.db, owner)).map(distributionToApi));
  });

  app.get(`${path}/:codename`, { schema: { params: byCodename } }, async (request) => distributionToApi(await found(await readable(request), request.params.codename)));

  app.get(`${path}/:codename/key.asc`, { schema: { params: byCodename } }, async (request, reply) => {
    const distribution = await found(await readable(request), request.params.codename);
    return reply.type('text/plain; charset=utf-8').send(distribution.public_key);
  });

  app.post(path, { schema: { params: byOwner, body: newDistribution } }, async (request, reply) => {
    const owner = await writable(request);
    const patch = patchOf(request.body);
    const fields: DistributionFields = {
      codename: patch.codename ?? '',
      suite: patch.suite ?? null,
      origin: patch.origin ?? null,
      label: patch.label ?? null,
      version: patch.version ?? null,
      description: patch.description ?? null,
      valid_time_duration_seconds: patch.valid_time_duration_seconds ?? null,
      components: patch.components ?? [],
      architectures: patch.architectures ?? [],
    };
    const row = await createDistribution(ctx.db, ctx.audit, auditContextOf(request), ctx.config.debianSigningKeyFile, owner, fields);
    return reply.status(201).send(distributionToApi(row));
  });

  app.put(`${path}/:codename`, { schema: { params: byCodename, body: distributionChange } }, async (request) => {
    const owner = await writable(request);
    return distributionToApi(await updateDistribution(ctx.db, ctx.audit, auditContextOf(request), owner, request.params.codename, patchOf(request.body)));
  });

  app.delete(`${path}/:codename`, { schema: { params: byCodename } }, async (request, reply) => {
    const owner = await writable(request);
    await deleteDistribution(ctx.db, ctx.audit, auditContextOf(request), owner, request.params.codename);
    return reply.status(204).send();
  });
}

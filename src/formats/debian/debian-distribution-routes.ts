import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { authorizeProject, requireApiUser } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { visibleProject } from '../../http/loaders.js';
import { listQuery, paginateArray } from '../../http/pagination.js';
import { auditContextOf } from '../../http/request-context.js';
import { bodyOf, nullableText, paramsOf, text, type Static } from '../../http/schemas.js';
import { registryProject } from '../registry-project.js';
import {
  createDistribution,
  deleteDistribution,
  distributionsOf,
  distributionToApi,
  findDistribution,
  updateDistribution,
  type DistributionFields,
} from './debian-distributions.js';

// GitLab's project-level Debian distributions API (docs/api.md#debian): reads for whoever may read
// the project's packages, changes for its maintainers and owners, each change audited.

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
const byProject = paramsOf('id');
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

export function registerDebianDistributionRoutes(app: Api, ctx: AppContext): void {
  const path = '/api/v4/projects/:id/debian_distributions';

  /** Changes: an API user (token with the api scope, or a web session) who is a maintainer or owner. */
  async function writableProject(request: FastifyRequest, ref: string): Promise<Project> {
    requireApiUser(request.principal, true);
    const { project, level } = await visibleProject(ctx, request, ref);
    if (level < AccessLevel.maintainer) throw errors.forbidden();
    return project;
  }

  /** Reads: whoever may read the project's packages (deploy and job tokens included, as apt's setup needs key.asc). */
  async function readableProject(request: FastifyRequest & { params: { id: string } }): Promise<Project> {
    const project = await registryProject(ctx, request);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
    return project;
  }

  async function found(project: Project, codename: string) {
    const row = await findDistribution(ctx.db, project.id, codename);
    if (!row || row.codename !== codename) throw errors.notFound('404 Distribution Not Found');
    return row;
  }

  app.get(path, { schema: { params: byProject, querystring: listQuery() } }, async (request, reply) => {
    const project = await readableProject(request);
    return paginateArray(request, reply, ctx.config.baseUrl, (await distributionsOf(ctx.db, project.id)).map(distributionToApi));
  });

  app.get(`${path}/:codename`, { schema: { params: byCodename } }, async (request) => distributionToApi(await found(await readableProject(request), request.params.codename)));

  app.get(`${path}/:codename/key.asc`, { schema: { params: byCodename } }, async (request, reply) => {
    const distribution = await found(await readableProject(request), request.params.codename);
    return reply.type('text/plain; charset=utf-8').send(distribution.public_key);
  });

  app.post(path, { schema: { params: byProject, body: newDistribution } }, async (request, reply) => {
    const project = await writableProject(request, request.params.id);
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
    const row = await createDistribution(ctx.db, ctx.audit, auditContextOf(request), ctx.config.debianSigningKeyFile, project, fields);
    return reply.status(201).send(distributionToApi(row));
  });

  app.put(`${path}/:codename`, { schema: { params: byCodename, body: distributionChange } }, async (request) => {
    const project = await writableProject(request, request.params.id);
    return distributionToApi(await updateDistribution(ctx.db, ctx.audit, auditContextOf(request), project, request.params.codename, patchOf(request.body)));
  });

  app.delete(`${path}/:codename`, { schema: { params: byCodename } }, async (request, reply) => {
    const project = await writableProject(request, request.params.id);
    await deleteDistribution(ctx.db, ctx.audit, auditContextOf(request), project, request.params.codename);
    return reply.status(204).send();
  });
}

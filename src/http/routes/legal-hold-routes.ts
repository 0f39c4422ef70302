import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { authorizeProject, requireApiUser } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { holdsOf, seesHoldTerms, MAX_HOLD_REASON, MAX_HOLD_REFERENCE, releaseHold, setHold, type HoldTarget, type HoldTerms } from '../../core/packages/legal-hold/legal-holds.js';
import { packageInProject } from '../../core/packages/package-reads.js';
import { LegalHold } from '../../contracts/legal-holds.js';
import { FORMATS } from '../../formats/index.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleProject } from '../loaders.js';
import { listQuery, paginateArray } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, name, nullableText, paramsOf, text } from '../schemas.js';

// Legal holds (docs/api.md#legal-holds) on a version, on a package name (its versions present and
// future) and on a whole project. Owners and administrators set and release them; whoever may read
// the project's packages sees them (the package JSON shows them too), their terms only from
// maintainer up (src/contracts/legal-holds.ts). The enforcement is not here:
// PackageWriter refuses every delete and file change of a held version (legal-hold-guard.ts).

const terms = { reason: text(MAX_HOLD_REASON), reference: nullableText(MAX_HOLD_REFERENCE) };
const formatNames = FORMATS.map((f) => f.name);
const packageType = Type.String({ enum: formatNames });
const versionHold = { params: paramsOf('id', 'package_id'), body: bodyOf(terms, ['reason']), response: { 200: LegalHold } };
const nameHold = { params: paramsOf('id'), body: bodyOf({ ...terms, package_type: packageType, package_name: name }, ['reason', 'package_type', 'package_name']), response: { 200: LegalHold } };
const nameRelease = { params: paramsOf('id'), querystring: Type.Object({ package_type: packageType, package_name: name }) };
const projectHold = { params: paramsOf('id'), body: bodyOf(terms, ['reason']), response: { 200: LegalHold } };

/** The reason is required and must say something; an empty reference is none. */
function termsOf(body: { reason?: string; reference?: string | null } | null | undefined): HoldTerms {
  const reason = body?.reason?.trim() ?? '';
  if (reason === '') throw errors.badRequest('reason is missing');
  const reference = body?.reference?.trim() || null;
  return { reason, reference };
}

function nameTarget(packageTypeName: string | undefined, packageName: string | undefined): HoldTarget {
  const format = FORMATS.find((f) => f.name === packageTypeName);
  if (!format) throw errors.badRequest('package_type is missing or unknown');
  if (!packageName) throw errors.badRequest('package_name is missing');
  const valid = format.names.assertName(packageName);
  return { scope: 'name', format: format.name, name: valid, normalizedName: format.names.normalize(valid) };
}

export function registerLegalHoldRoutes(app: Api, ctx: AppContext): void {
  /** The project of the URL, for an owner (or an administrator); 404 for whoever may not see it. */
  async function ownedProject(request: FastifyRequest, projectRef: string): Promise<Project> {
    requireApiUser(request.principal, true);
    const { project, level } = await visibleProject(ctx, request, projectRef);
    if (level < AccessLevel.owner) throw errors.forbidden('403 Forbidden - only owners set and release legal holds');
    return project;
  }

  /** The hold just set, as its owner sees it (terms included). */
  async function answerWith(project: Project, holdId: number): Promise<LegalHold> {
    const hold = (await holdsOf(ctx.db, project, true)).find((h) => h.id === holdId);
    if (!hold) throw errors.conflict('The legal hold was released concurrently');
    return hold;
  }

  async function versionTarget(project: Project, packageId: string): Promise<HoldTarget> {
    return { scope: 'version', pkg: await packageInProject(ctx.db, project, idParam(packageId, 'Package'), true) };
  }

  const versionPath = '/api/v4/projects/:id/packages/:package_id/legal_hold';
  app.put(versionPath, { schema: versionHold }, async (request) => {
    const project = await ownedProject(request, request.params.id);
    const target = await versionTarget(project, request.params.package_id);
    const row = await setHold(ctx.db, ctx.audit, auditContextOf(request), project, target, termsOf(request.body));
    return answerWith(project, row.id);
  });
  app.delete(versionPath, { schema: { params: versionHold.params } }, async (request, reply) => {
    const project = await ownedProject(request, request.params.id);
    await releaseHold(ctx.db, ctx.audit, auditContextOf(request), project, await versionTarget(project, request.params.package_id));
    return reply.status(204).send();
  });

  const namePath = '/api/v4/projects/:id/packages/legal_holds';
  app.put(namePath, { schema: nameHold }, async (request) => {
    const project = await ownedProject(request, request.params.id);
    const target = nameTarget(request.body?.package_type, request.body?.package_name);
    const row = await setHold(ctx.db, ctx.audit, auditContextOf(request), project, target, termsOf(request.body));
    return answerWith(project, row.id);
  });
  app.delete(namePath, { schema: nameRelease }, async (request, reply) => {
    const project = await ownedProject(request, request.params.id);
    await releaseHold(ctx.db, ctx.audit, auditContextOf(request), project, nameTarget(request.query.package_type, request.query.package_name));
    return reply.status(204).send();
  });

  const projectPath = '/api/v4/projects/:id/legal_hold';
  app.put(projectPath, { schema: projectHold }, async (request) => {
    const project = await ownedProject(request, request.params.id);
    const row = await setHold(ctx.db, ctx.audit, auditContextOf(request), project, { scope: 'project' }, termsOf(request.body));
    return answerWith(project, row.id);
  });
  app.delete(projectPath, { schema: { params: projectHold.params } }, async (request, reply) => {
    const project = await ownedProject(request, request.params.id);
    await releaseHold(ctx.db, ctx.audit, auditContextOf(request), project, { scope: 'project' });
    return reply.status(204).send();
  });

  const listSchema = { params: paramsOf('id'), querystring: listQuery(), response: { 200: Type.Array(LegalHold) } };
  app.get('/api/v4/projects/:id/legal_holds', { schema: listSchema }, async (request, reply) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    return paginateArray(request, reply, ctx.config.baseUrl, await holdsOf(ctx.db, project, await seesHoldTerms(ctx.db, request.principal, project)));
  });
}

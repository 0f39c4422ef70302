import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireApiUser } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { policyOf, policyToApi, updatePolicy } from '../../core/cleanup/cleanup-policy-store.js';
import { CleanupRunner } from '../../core/cleanup/cleanup-runner.js';
import { CADENCES, MAX_REGEX_LENGTH, REGEX_FIELDS } from '../../core/cleanup/cleanup-policy.js';
import { errors } from '../../core/errors.js';
import { isAdmin } from '../../core/tokens/principal.js';
import type { AppContext } from '../app-context.js';
import { visibleProject } from '../loaders.js';
import { flagValue, queryFlag } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, boolean, MAX_ID, nullableText, oneOfValues } from '../schemas.js';

type Params = { id: string };

// A count or a number of days: empty or null clears the rule; the range is checked by applyUpdate().
const count = { type: ['integer', 'string', 'null'], minimum: 0, maximum: MAX_ID, pattern: '^[0-9]{0,9}$' };
// Unknown fields are refused by applyUpdate() with a message that lists the known ones.
const policyChange = {
  body: bodyOf({
    enabled: boolean,
    cadence: oneOfValues(CADENCES),
    keep_n_versions: count,
    older_than_days: count,
    ...Object.fromEntries(REGEX_FIELDS.map((field) => [field, nullableText(MAX_REGEX_LENGTH)])),
    next_run_at: nullableText(64),
  }),
};
const runQuery = { querystring: { type: 'object', properties: { dry_run: queryFlag } } };

/**
 * A project's packages cleanup policy (SPEC 5). Reading and changing it, and running it, need
 * the Maintainer role, as GitLab's package cleanup policy does; a caller who may not see the
 * project gets 404.
 */
export function registerCleanupPolicyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const runner = new CleanupRunner(ctx.db, ctx.packages, ctx.audit);
  const path = '/api/v4/projects/:id/packages/cleanup_policy';

  async function maintainedProject(request: FastifyRequest<{ Params: Params }>, write: boolean): Promise<Project> {
    requireApiUser(request.principal, write);
    const { project, level } = await visibleProject(ctx, request, request.params.id);
    if (level < AccessLevel.maintainer) throw errors.forbidden();
    return project;
  }

  app.get<{ Params: Params }>(path, async (request) => {
    const project = await maintainedProject(request, false);
    return policyToApi(await policyOf(ctx.db, project));
  });

  app.put<{ Params: Params; Body: Record<string, unknown> | null }>(path, { schema: policyChange }, async (request) => {
    const project = await maintainedProject(request, true);
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('Request body must be a JSON object');
    const policy = await updatePolicy(ctx.db, ctx.audit, auditContextOf(request), project, body, { maySetNextRunAt: isAdmin(request.principal) });
    return policyToApi(policy);
  });

  app.post<{ Params: Params; Querystring: { dry_run?: string } }>(`${path}/run`, { schema: runQuery }, async (request) => {
    const project = await maintainedProject(request, true);
    const dryRun = flagValue(request.query.dry_run) === true;
    const policy = await policyOf(ctx.db, project);
    if (policy.id === null) throw errors.notFound('404 Cleanup policy Not Found');
    const principal = request.principal;
    const requestedBy = principal.kind === 'user' ? { user_id: principal.user.id, username: principal.user.username } : null;
    return runner.run({ ...policy, id: policy.id }, project, { dryRun, trigger: 'manual', requestedBy });
  });
}

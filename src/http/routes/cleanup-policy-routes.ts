import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireApiUser } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { policyOf, policyToApi, updatePolicy } from '../../core/cleanup/cleanup-policy-store.js';
import { CleanupRunner } from '../../core/cleanup/cleanup-runner.js';
import { CADENCES, MAX_REGEX_LENGTH } from '../../core/cleanup/cleanup-policy.js';
import { errors } from '../../core/errors.js';
import { isAdmin } from '../../core/tokens/principal.js';
import { CleanupPolicy, CleanupRunResult } from '../../contracts/cleanup.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { visibleProject } from '../loaders.js';
import { flagValue, queryFlag, queryOf } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, boolean, MAX_ID, nullableText, oneOfValues, paramsOf } from '../schemas.js';

// A count or a number of days: empty or null clears the rule; the range is checked by applyUpdate().
const count = Type.Unsafe<number | string | null>({ type: ['integer', 'string', 'null'], minimum: 0, maximum: MAX_ID, pattern: '^[0-9]{0,9}$' });
const regex = nullableText(MAX_REGEX_LENGTH);
// Unknown fields are refused by applyUpdate() with a message that lists the known ones.
const policyChange = bodyOf({
  enabled: boolean,
  cadence: oneOfValues(CADENCES),
  keep_n_versions: count,
  older_than_days: count,
  name_regex: regex,
  name_regex_keep: regex,
  version_regex_keep: regex,
  next_run_at: nullableText(64),
});
const byId = paramsOf('id');

/**
 * A project's packages cleanup policy (docs/api.md#cleanup-policies). Reading and changing it, and running it, need
 * the Maintainer role, as GitLab's package cleanup policy does; a caller who may not see the
 * project gets 404.
 */
export function registerCleanupPolicyRoutes(app: Api, ctx: AppContext): void {
  const runner = new CleanupRunner(ctx.db, ctx.packages, ctx.audit);
  const path = '/api/v4/projects/:id/packages/cleanup_policy';

  async function maintainedProject(request: FastifyRequest, projectRef: string, write: boolean): Promise<Project> {
    requireApiUser(request.principal, write);
    const { project, level } = await visibleProject(ctx, request, projectRef);
    if (level < AccessLevel.maintainer) throw errors.forbidden();
    return project;
  }

  app.get(path, { schema: { params: byId, response: { 200: CleanupPolicy } } }, async (request) => {
    const project = await maintainedProject(request, request.params.id, false);
    return policyToApi(await policyOf(ctx.db, project));
  });

  app.put(path, { schema: { params: byId, body: policyChange, response: { 200: CleanupPolicy } } }, async (request) => {
    const project = await maintainedProject(request, request.params.id, true);
    const policy = await updatePolicy(ctx.db, ctx.audit, auditContextOf(request), project, request.body ?? {}, { maySetNextRunAt: isAdmin(request.principal) });
    return policyToApi(policy);
  });

  const runSchema = { params: byId, querystring: queryOf({ dry_run: queryFlag }), response: { 200: CleanupRunResult } };
  app.post(`${path}/run`, { schema: runSchema }, async (request) => {
    const project = await maintainedProject(request, request.params.id, true);
    const dryRun = flagValue(request.query.dry_run) === true;
    const policy = await policyOf(ctx.db, project);
    if (policy.id === null) throw errors.notFound('404 Cleanup policy Not Found');
    const principal = request.principal;
    const requestedBy = principal.kind === 'user' ? { user_id: principal.user.id, username: principal.user.username } : null;
    return runner.run({ ...policy, id: policy.id }, project, { dryRun, trigger: 'manual', requestedBy });
  });
}

import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireApiUser } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { createRule, deleteRule, fieldsOf, rulesOf, updateRule, type RuleFields, type RuleOwner } from '../../core/packages/protection/protection-rule-store.js';
import { PROTECTION_LEVELS, rulesBinding, type ProtectionRule as RuleRow } from '../../core/packages/protection/protection-rules.js';
import { ProtectionRule } from '../../contracts/protection-rules.js';
import { FORMATS } from '../../formats/index.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup, visibleProject } from '../loaders.js';
import { listQuery, paginateArray } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, boolean, oneOfValues, paramsOf, text, type Static } from '../schemas.js';

const level = Type.Unsafe<(typeof PROTECTION_LEVELS)[number] | null>({ enum: [...PROTECTION_LEVELS, null] });
const ruleFields = {
  package_name_pattern: text(255),
  package_type: oneOfValues(FORMATS.map((format) => format.name)),
  minimum_access_level_for_push: level,
  minimum_access_level_for_delete: level,
  allow_deploy_tokens: boolean,
};
const newRule = bodyOf(ruleFields, ['package_name_pattern', 'package_type']);
const ruleChange = bodyOf(ruleFields);
const byOwner = paramsOf('id');
const byRule = paramsOf('id', 'rule_id');

export function ruleToApi(rule: RuleRow): ProtectionRule {
  return { id: rule.id, project_id: rule.project_id, group_id: rule.namespace_id, ...fieldsOf(rule), created_at: rule.created_at, updated_at: rule.updated_at };
}

type Body = NonNullable<Static<typeof ruleChange>>;

function patchOf(body: Body | null): Partial<RuleFields> {
  const given = body ?? {};
  const patch: Partial<RuleFields> = {
    package_name_pattern: given.package_name_pattern,
    package_type: given.package_type,
    minimum_access_level_for_push: given.minimum_access_level_for_push,
    minimum_access_level_for_delete: given.minimum_access_level_for_delete,
  };
  if (given.allow_deploy_tokens !== undefined) patch.allow_deploy_tokens = String(given.allow_deploy_tokens) === 'true';
  return patch;
}

/**
 * Package protection rules of a project (GitLab's API) and of a group (Trove's: inherited by every
 * project below it), docs/api.md#package-protection-rules. Maintainers and above read and change them;
 * a caller who may not see the project or group gets 404. A project's list also shows the group
 * rules that bind it (with their group_id); those are changed on the group.
 */
export function registerProtectionRuleRoutes(app: Api, ctx: AppContext): void {
  async function maintainedOwner(request: FastifyRequest, kind: RuleOwner['kind'], ref: string, write: boolean): Promise<RuleOwner> {
    requireApiUser(request.principal, write);
    if (kind === 'project') {
      const { project, level } = await visibleProject(ctx, request, ref);
      if (level < AccessLevel.maintainer) throw errors.forbidden();
      return { kind, project };
    }
    const { group, level } = await visibleGroup(ctx, request, ref);
    if (level < AccessLevel.maintainer) throw errors.forbidden();
    return { kind, group };
  }

  for (const kind of ['project', 'group'] as const) {
    const path = `/api/v4/${kind}s/:id/packages/protection/rules`;

    const list = { params: byOwner, querystring: listQuery(), response: { 200: Type.Array(ProtectionRule) } };
    app.get(path, { schema: list }, async (request, reply) => {
      const owner = await maintainedOwner(request, kind, request.params.id, false);
      const rules = owner.kind === 'project' ? await rulesBinding(ctx.db, owner.project) : await rulesOf(ctx.db, owner);
      return paginateArray(request, reply, ctx.config.baseUrl, rules).map(ruleToApi);
    });

    app.post(path, { schema: { params: byOwner, body: newRule, response: { 201: ProtectionRule } } }, async (request, reply) => {
      const owner = await maintainedOwner(request, kind, request.params.id, true);
      const patch = patchOf(request.body);
      const fields: RuleFields = {
        package_name_pattern: patch.package_name_pattern ?? '',
        package_type: patch.package_type ?? '',
        minimum_access_level_for_push: patch.minimum_access_level_for_push ?? null,
        minimum_access_level_for_delete: patch.minimum_access_level_for_delete ?? null,
        allow_deploy_tokens: patch.allow_deploy_tokens ?? false,
      };
      const rule = await createRule(ctx.db, ctx.audit, auditContextOf(request), owner, fields);
      return reply.status(201).send(ruleToApi(rule));
    });

    app.patch(`${path}/:rule_id`, { schema: { params: byRule, body: ruleChange, response: { 200: ProtectionRule } } }, async (request) => {
      const owner = await maintainedOwner(request, kind, request.params.id, true);
      const ruleId = idParam(request.params.rule_id, 'Package Protection Rule');
      return ruleToApi(await updateRule(ctx.db, ctx.audit, auditContextOf(request), owner, ruleId, patchOf(request.body)));
    });

    app.delete(`${path}/:rule_id`, { schema: { params: byRule } }, async (request, reply) => {
      const owner = await maintainedOwner(request, kind, request.params.id, true);
      await deleteRule(ctx.db, ctx.audit, auditContextOf(request), owner, idParam(request.params.rule_id, 'Package Protection Rule'));
      return reply.status(204).send();
    });
  }
}

import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireApiUser } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { PROTECTION_LEVELS } from '../../core/packages/protection/protection-rules.js';
import { isImmutableRule, tagRulesOf, type TagRule } from '../../container-registry/governance/tag-rules.js';
import { createTagRule, deleteTagRule, fieldsOf, tagRuleOf, updateTagRule, type TagRuleFields } from '../../container-registry/governance/tag-rule-store.js';
import { ContainerTagRule } from '../../contracts/container-governance.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleProject } from '../loaders.js';
import { listQuery, paginateArray } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, boolean, paramsOf, text } from '../schemas.js';

const level = Type.Unsafe<(typeof PROTECTION_LEVELS)[number] | null>({ enum: [...PROTECTION_LEVELS, null] });
const ruleFields = { tag_name_pattern: text(255), minimum_access_level_for_push: level, minimum_access_level_for_delete: level, immutable: boolean };
const newRule = bodyOf(ruleFields, ['tag_name_pattern']);
const ruleChange = bodyOf(ruleFields);
const byProject = paramsOf('id');
const byRule = paramsOf('id', 'rule_id');
const RULE = 'Container Registry Protection Tag Rule';

export function tagRuleToApi(rule: TagRule): ContainerTagRule {
  return { id: rule.id, project_id: rule.project_id, ...fieldsOf(rule), immutable: isImmutableRule(rule), created_at: rule.created_at, updated_at: rule.updated_at };
}

/**
 * A project's container tag rules, GitLab's API at `/projects/:id/registry/protection/tag/rules`
 * (also answered at `.../tag_rules`). Maintainers and above read them and manage protected rules;
 * immutable rules (`immutable: true`, no levels) take an owner, as in GitLab. Someone who cannot
 * see the project gets 404.
 */
export function registerContainerTagRuleRoutes(app: Api, ctx: AppContext): void {
  async function projectFor(request: FastifyRequest, ref: string, write: boolean) {
    requireApiUser(request.principal, write);
    const { project, level } = await visibleProject(ctx, request, ref);
    if (level < AccessLevel.maintainer) throw errors.forbidden();
    return { project, level };
  }
  const requireOwnerFor = (rule: { minimum_access_level_for_push: string | null; minimum_access_level_for_delete: string | null }, level: number) => {
    if (isImmutableRule(rule) && level < AccessLevel.owner) throw errors.forbidden('403 Forbidden - immutable tag rules are managed by owners');
  };

  for (const path of ['/api/v4/projects/:id/registry/protection/tag/rules', '/api/v4/projects/:id/registry/protection/tag_rules']) {
    app.get(path, { schema: { params: byProject, querystring: listQuery(), response: { 200: Type.Array(ContainerTagRule) } } }, async (request, reply) => {
      const { project } = await projectFor(request, request.params.id, false);
      return paginateArray(request, reply, ctx.config.baseUrl, await tagRulesOf(ctx.db, project)).map(tagRuleToApi);
    });

    app.post(path, { schema: { params: byProject, body: newRule, response: { 201: ContainerTagRule } } }, async (request, reply) => {
      const { project, level: callerLevel } = await projectFor(request, request.params.id, true);
      const body = request.body ?? { tag_name_pattern: '' };
      const immutable = String(body.immutable) === 'true';
      if (immutable && (body.minimum_access_level_for_push || body.minimum_access_level_for_delete)) {
        throw errors.badRequest('an immutable rule takes no minimum_access_level_for_push or minimum_access_level_for_delete');
      }
      const fields: TagRuleFields = {
        tag_name_pattern: body.tag_name_pattern,
        minimum_access_level_for_push: body.minimum_access_level_for_push ?? null,
        minimum_access_level_for_delete: body.minimum_access_level_for_delete ?? null,
      };
      if (!immutable && fields.minimum_access_level_for_push === null && fields.minimum_access_level_for_delete === null) {
        throw errors.badRequest('minimum_access_level_for_push and minimum_access_level_for_delete are required unless immutable is true');
      }
      requireOwnerFor(fields, callerLevel);
      return reply.status(201).send(tagRuleToApi(await createTagRule(ctx.db, ctx.audit, auditContextOf(request), project, fields)));
    });

    app.patch(`${path}/:rule_id`, { schema: { params: byRule, body: ruleChange, response: { 200: ContainerTagRule } } }, async (request) => {
      const { project } = await projectFor(request, request.params.id, true);
      const body = request.body ?? {};
      const patch: Partial<TagRuleFields> = {
        tag_name_pattern: body.tag_name_pattern,
        minimum_access_level_for_push: body.minimum_access_level_for_push,
        minimum_access_level_for_delete: body.minimum_access_level_for_delete,
      };
      return tagRuleToApi(await updateTagRule(ctx.db, ctx.audit, auditContextOf(request), project, idParam(request.params.rule_id, RULE), patch));
    });

    app.delete(`${path}/:rule_id`, { schema: { params: byRule } }, async (request, reply) => {
      const { project, level: callerLevel } = await projectFor(request, request.params.id, true);
      const rule = await tagRuleOf(ctx.db, project, idParam(request.params.rule_id, RULE));
      requireOwnerFor(rule, callerLevel);
      await deleteTagRule(ctx.db, ctx.audit, auditContextOf(request), project, rule);
      return reply.status(204).send();
    });
  }
}

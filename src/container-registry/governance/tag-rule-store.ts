import type { Db, Tx } from '../../storage/db/database.js';
import type { Project } from '../../core/accounts/projects.js';
import type { AuditLog } from '../../core/audit/audit-log.js';
import { loadProjectScope } from '../../core/audit/audit-scope.js';
import type { AuditContext, Changes } from '../../core/audit/audit-types.js';
import { fieldChanges, patchedFields } from '../../core/audit/field-changes.js';
import { nowIso } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import type { ProtectionLevel } from '../../core/packages/protection/protection-rules.js';
import { isImmutableRule, levelOf, tagRulesOf, type TagRule } from './tag-rules.js';

// Reading and changing a project's container tag rules (GitLab's /registry/protection/tag/rules);
// every change is audited with before/after in its transaction.

/** A rule's fields as the API takes them; both levels null makes the rule immutable. */
export interface TagRuleFields {
  tag_name_pattern: string;
  minimum_access_level_for_push: ProtectionLevel | null;
  minimum_access_level_for_delete: ProtectionLevel | null;
}

/** GitLab's limit on a pattern's length. */
export const MAX_TAG_PATTERN_LENGTH = 100;
/** GitLab's limit: up to 5 protected and 5 immutable rules per project. */
export const MAX_RULES_PER_KIND = 5;

// RE2 (GitLab's engine) has no backreferences and no lookaround; a pattern using them would mean
// something else on GitLab, so it is refused rather than run by JavaScript's engine.
const NOT_RE2 = /\\[1-9]|\(\?<?[=!]/;

export function fieldsOf(rule: TagRule): TagRuleFields {
  return {
    tag_name_pattern: rule.tag_name_pattern,
    minimum_access_level_for_push: levelOf(rule.minimum_access_level_for_push),
    minimum_access_level_for_delete: levelOf(rule.minimum_access_level_for_delete),
  };
}

function validated(fields: TagRuleFields): TagRuleFields {
  const pattern = fields.tag_name_pattern;
  if (pattern.length === 0 || pattern.length > MAX_TAG_PATTERN_LENGTH) throw errors.badRequest(`tag_name_pattern must be 1 to ${MAX_TAG_PATTERN_LENGTH} characters`);
  try {
    new RegExp(pattern);
  } catch {
    throw errors.badRequest('tag_name_pattern is not a valid regular expression');
  }
  if (NOT_RE2.test(pattern)) throw errors.badRequest('tag_name_pattern must be RE2 syntax: no backreferences or lookaround');
  if ((fields.minimum_access_level_for_push === null) !== (fields.minimum_access_level_for_delete === null)) {
    throw errors.badRequest('minimum_access_level_for_push and minimum_access_level_for_delete are both set (a protected rule) or both empty (an immutable rule)');
  }
  return fields;
}

export async function tagRuleOf(db: Db | Tx, project: Project, ruleId: number): Promise<TagRule> {
  const rule = await db.selectFrom('container_tag_protection_rules').selectAll().where('id', '=', ruleId).where('project_id', '=', project.id).executeTakeFirst();
  if (!rule) throw errors.notFound('404 Container Registry Protection Tag Rule Not Found');
  return rule;
}

async function refuseDuplicate(tx: Tx, project: Project, pattern: string, except: number): Promise<void> {
  const same = await tx
    .selectFrom('container_tag_protection_rules')
    .select('id')
    .where('project_id', '=', project.id)
    .where('tag_name_pattern', '=', pattern)
    .where('id', '!=', except)
    .executeTakeFirst();
  if (same) throw errors.unprocessable(`Tag name pattern has already been taken (rule ${same.id})`);
}

type RuleEvent = 'container_tag_protection_rule_created' | 'container_tag_protection_rule_updated' | 'container_tag_protection_rule_deleted';

function changesBetween(before: TagRuleFields | null, after: TagRuleFields | null): Changes {
  const changes = fieldChanges(['tag_name_pattern', 'minimum_access_level_for_push', 'minimum_access_level_for_delete'], before, after);
  const immutable = { from: before ? isImmutableRule(before) : null, to: after ? isImmutableRule(after) : null };
  if (immutable.from !== immutable.to) changes.immutable = immutable;
  return changes;
}

async function recordRuleEvent(tx: Tx, audit: AuditLog, ctx: AuditContext, project: Project, eventName: RuleEvent, rule: TagRule, changes: Changes): Promise<void> {
  const verb = eventName.slice('container_tag_protection_rule_'.length);
  const kind = isImmutableRule(rule) ? 'immutable tag rule' : 'tag protection rule';
  await audit.record(tx, ctx, {
    eventName,
    scope: await loadProjectScope(tx, project),
    project: { id: project.id, full_path: project.full_path },
    target: { id: rule.id, type: 'ContainerRegistry::Protection::TagRule', details: `${project.full_path}:${rule.tag_name_pattern}` },
    customMessage: `Container ${kind} ${rule.id} ("${rule.tag_name_pattern}") ${verb} on ${project.full_path}`,
    changes,
  });
}

export async function createTagRule(db: Db, audit: AuditLog, ctx: AuditContext, project: Project, input: TagRuleFields): Promise<TagRule> {
  const fields = validated(input);
  return db.transaction().execute(async (tx) => {
    await refuseDuplicate(tx, project, fields.tag_name_pattern, 0);
    const sameKind = (await tagRulesOf(tx, project)).filter((rule) => isImmutableRule(rule) === isImmutableRule(fields));
    if (sameKind.length >= MAX_RULES_PER_KIND) throw errors.unprocessable(`A project has at most ${MAX_RULES_PER_KIND} ${isImmutableRule(fields) ? 'immutable' : 'protected'} tag rules`);
    const at = nowIso();
    const rule = await tx
      .insertInto('container_tag_protection_rules')
      .values({ ...fields, project_id: project.id, created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordRuleEvent(tx, audit, ctx, project, 'container_tag_protection_rule_created', rule, changesBetween(null, fields));
    return rule;
  });
}

/** Applies the fields given. Immutable rules are created and deleted, never changed (as GitLab's). */
export async function updateTagRule(db: Db, audit: AuditLog, ctx: AuditContext, project: Project, ruleId: number, patch: Partial<TagRuleFields>): Promise<TagRule> {
  return db.transaction().execute(async (tx) => {
    const rule = await tagRuleOf(tx, project, ruleId);
    if (isImmutableRule(rule)) throw errors.unprocessable('Immutable tag rules cannot be updated');
    const before = fieldsOf(rule);
    const after = validated(patchedFields(before, patch));
    if (isImmutableRule(after)) throw errors.unprocessable('A protected tag rule cannot become immutable; create an immutable rule instead');
    const changes = changesBetween(before, after);
    if (Object.keys(changes).length === 0) return rule;
    await refuseDuplicate(tx, project, after.tag_name_pattern, rule.id);
    const updated = await tx.updateTable('container_tag_protection_rules').set({ ...after, updated_at: nowIso() }).where('id', '=', rule.id).returningAll().executeTakeFirstOrThrow();
    await recordRuleEvent(tx, audit, ctx, project, 'container_tag_protection_rule_updated', updated, changes);
    return updated;
  });
}

export async function deleteTagRule(db: Db, audit: AuditLog, ctx: AuditContext, project: Project, rule: TagRule): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('container_tag_protection_rules').where('id', '=', rule.id).execute();
    await recordRuleEvent(tx, audit, ctx, project, 'container_tag_protection_rule_deleted', rule, changesBetween(fieldsOf(rule), null));
  });
}

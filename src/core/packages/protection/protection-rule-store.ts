import type { Db, Tx } from '../../../storage/db/database.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { AuditContext, Changes } from '../../audit/audit-types.js';
import { fieldChanges, patchedFields } from '../../audit/field-changes.js';
import { settingsOwnerAudit, settingsOwnerPath, type SettingsOwner } from '../../audit/settings-owner.js';
import { nowIso } from '../../clock.js';
import { errors } from '../../errors.js';
import { isProtectionLevel, MAX_PATTERN_LENGTH, type ProtectionLevel, type ProtectionRule } from './protection-rules.js';

// Reading and changing protection rules; every change is audited with before/after in its transaction.

/** Whose rules: a project's own, or a group's (inherited by every project below it). */
export type RuleOwner = SettingsOwner;

/** The fields a rule's API takes; `package_type` is checked against the formats by the route's schema. */
export interface RuleFields {
  package_name_pattern: string;
  package_type: string;
  minimum_access_level_for_push: ProtectionLevel | null;
  minimum_access_level_for_delete: ProtectionLevel | null;
  allow_deploy_tokens: boolean;
}

const FIELD_NAMES = ['package_name_pattern', 'package_type', 'minimum_access_level_for_push', 'minimum_access_level_for_delete', 'allow_deploy_tokens'] as const;

/** Letters, digits and the punctuation package names use (@ / . _ - + ~ :), with `*` wildcards; nothing else. */
const PATTERN_SYNTAX = /^[A-Za-z0-9@/._\-+~:*]+$/;

export function fieldsOf(rule: ProtectionRule): RuleFields {
  return {
    package_name_pattern: rule.package_name_pattern,
    package_type: rule.package_type,
    minimum_access_level_for_push: isProtectionLevel(rule.minimum_access_level_for_push) ? rule.minimum_access_level_for_push : null,
    minimum_access_level_for_delete: isProtectionLevel(rule.minimum_access_level_for_delete) ? rule.minimum_access_level_for_delete : null,
    allow_deploy_tokens: rule.allow_deploy_tokens === 1,
  };
}

/** A package name pattern as rules (and trusted publishers' name limits) take it, or 400. */
export function checkNamePattern(pattern: string): void {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH || !PATTERN_SYNTAX.test(pattern)) {
    throw errors.badRequest(`package_name_pattern must be 1 to ${MAX_PATTERN_LENGTH} characters: letters, digits, @ / . _ - + ~ : and * as a wildcard`);
  }
}

function validated(fields: RuleFields): RuleFields {
  checkNamePattern(fields.package_name_pattern);
  if (fields.minimum_access_level_for_push === null && fields.minimum_access_level_for_delete === null) {
    throw errors.badRequest('minimum_access_level_for_push and minimum_access_level_for_delete cannot both be empty');
  }
  return fields;
}

function ownerColumn(owner: RuleOwner) {
  return owner.kind === 'project' ? ({ column: 'project_id', id: owner.project.id } as const) : ({ column: 'namespace_id', id: owner.group.id } as const);
}

/** The owner's own rules, oldest first. */
export async function rulesOf(db: Db, owner: RuleOwner): Promise<ProtectionRule[]> {
  const { column, id } = ownerColumn(owner);
  return db.selectFrom('package_protection_rules').selectAll().where(column, '=', id).orderBy('id').execute();
}

/** One of the owner's own rules; 404 for another owner's rule, as for one that does not exist. */
export async function ruleOf(db: Db | Tx, owner: RuleOwner, ruleId: number): Promise<ProtectionRule> {
  const { column, id } = ownerColumn(owner);
  const rule = await db.selectFrom('package_protection_rules').selectAll().where('id', '=', ruleId).where(column, '=', id).executeTakeFirst();
  if (!rule) throw errors.notFound('404 Package Protection Rule Not Found');
  return rule;
}

async function refuseDuplicate(tx: Tx, owner: RuleOwner, fields: RuleFields, except: number | null): Promise<void> {
  const { column, id } = ownerColumn(owner);
  const same = await tx
    .selectFrom('package_protection_rules')
    .select('id')
    .where(column, '=', id)
    .where('package_type', '=', fields.package_type)
    .where('package_name_pattern', '=', fields.package_name_pattern)
    .where('id', '!=', except ?? 0)
    .executeTakeFirst();
  if (same) throw errors.unprocessable(`Package name pattern has already been taken (rule ${same.id})`);
}

type RuleEvent = 'package_protection_rule_created' | 'package_protection_rule_updated' | 'package_protection_rule_deleted';

async function recordRuleEvent(tx: Tx, audit: AuditLog, ctx: AuditContext, owner: RuleOwner, eventName: RuleEvent, rule: ProtectionRule, changes: Changes): Promise<void> {
  const path = settingsOwnerPath(owner);
  const verb = eventName.slice('package_protection_rule_'.length);
  await audit.record(tx, ctx, {
    eventName,
    ...(await settingsOwnerAudit(tx, owner)),
    target: { id: rule.id, type: 'Packages::Protection::Rule', details: `${path}/${rule.package_type}:${rule.package_name_pattern}` },
    customMessage: `Package protection rule ${rule.id} (${rule.package_type} "${rule.package_name_pattern}") ${verb} on ${path}`,
    changes,
  });
}

function changesBetween(before: RuleFields | null, after: RuleFields | null): Changes {
  return fieldChanges(FIELD_NAMES, before, after);
}

export async function createRule(db: Db, audit: AuditLog, ctx: AuditContext, owner: RuleOwner, input: RuleFields): Promise<ProtectionRule> {
  const fields = validated(input);
  return db.transaction().execute(async (tx) => {
    await refuseDuplicate(tx, owner, fields, null);
    const at = nowIso();
    const { column, id } = ownerColumn(owner);
    const rule = await tx
      .insertInto('package_protection_rules')
      .values({ ...fields, allow_deploy_tokens: fields.allow_deploy_tokens ? 1 : 0, project_id: null, namespace_id: null, [column]: id, created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordRuleEvent(tx, audit, ctx, owner, 'package_protection_rule_created', rule, changesBetween(null, fields));
    return rule;
  });
}

/** Applies the fields given; a change that changes nothing records nothing. */
export async function updateRule(db: Db, audit: AuditLog, ctx: AuditContext, owner: RuleOwner, ruleId: number, patch: Partial<RuleFields>): Promise<ProtectionRule> {
  return db.transaction().execute(async (tx) => {
    const rule = await ruleOf(tx, owner, ruleId);
    const before = fieldsOf(rule);
    const after = validated(patchedFields(before, patch));
    const changes = changesBetween(before, after);
    if (Object.keys(changes).length === 0) return rule;
    await refuseDuplicate(tx, owner, after, rule.id);
    const updated = await tx
      .updateTable('package_protection_rules')
      .set({ ...after, allow_deploy_tokens: after.allow_deploy_tokens ? 1 : 0, updated_at: nowIso() })
      .where('id', '=', rule.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordRuleEvent(tx, audit, ctx, owner, 'package_protection_rule_updated', updated, changes);
    return updated;
  });
}

export async function deleteRule(db: Db, audit: AuditLog, ctx: AuditContext, owner: RuleOwner, ruleId: number): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const rule = await ruleOf(tx, owner, ruleId);
    await tx.deleteFrom('package_protection_rules').where('id', '=', rule.id).execute();
    await recordRuleEvent(tx, audit, ctx, owner, 'package_protection_rule_deleted', rule, changesBetween(fieldsOf(rule), null));
  });
}

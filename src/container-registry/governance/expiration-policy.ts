import type { Selectable } from 'kysely';
import type { ContainerExpirationPolicy as PolicyJson } from '../../contracts/container-governance.js';
import type { Db } from '../../storage/db/database.js';
import { isUniqueViolation } from '../../storage/db/db-errors.js';
import type { ContainerExpirationPoliciesTable } from '../../storage/db/schema.js';
import type { Project } from '../../core/accounts/projects.js';
import type { AuditLog } from '../../core/audit/audit-log.js';
import { loadProjectScope } from '../../core/audit/audit-scope.js';
import type { AuditContext, Changes } from '../../core/audit/audit-types.js';
import { CADENCES, nextRunAfter, validateRegex, type Cadence } from '../../core/cleanup/cleanup-policy.js';
import { nowIso } from '../../core/clock.js';
import { claimPolicyRun, duePolicyRows } from '../../core/cleanup/scheduled-policies.js';
import { errors } from '../../core/errors.js';

// GitLab's container expiration policy (`container_expiration_policy_attributes` of PUT /projects/:id),
// with GitLab's fields and allowed values. Regexes are matched against the whole tag name, as GitLab
// does; a policy without name_regex deletes nothing. Saving it is audited (container_expiration_policy_updated).

export const KEEP_N_VALUES = [1, 5, 10, 25, 50, 100] as const;
export const OLDER_THAN_VALUES = ['7d', '14d', '30d', '90d'] as const;

export interface ExpirationSettings {
  enabled: boolean;
  cadence: Cadence;
  keep_n: number | null;
  older_than: string | null;
  name_regex: string | null;
  name_regex_keep: string | null;
  next_run_at: string | null;
}

export interface ExpirationPolicy extends ExpirationSettings {
  id: number | null;
  project_id: number;
}

/** GitLab's defaults for a project that never saved a policy (disabled; nothing is deleted without name_regex). */
export const DEFAULT_EXPIRATION: ExpirationSettings = { enabled: false, cadence: '1d', keep_n: 10, older_than: '90d', name_regex: null, name_regex_keep: null, next_run_at: null };
const KEYS = Object.keys(DEFAULT_EXPIRATION) as (keyof ExpirationSettings)[];

function fromRow(row: Selectable<ContainerExpirationPoliciesTable>): ExpirationPolicy {
  const { id, project_id, enabled, cadence, keep_n, older_than, name_regex, name_regex_keep, next_run_at } = row;
  return { id, project_id, enabled: enabled === 1, cadence: cadence as Cadence, keep_n, older_than, name_regex, name_regex_keep, next_run_at };
}

function settingsOf(policy: ExpirationPolicy): ExpirationSettings {
  const { id: _id, project_id: _project, ...settings } = policy;
  return settings;
}

export async function expirationPolicyOf(db: Db, project: Pick<Project, 'id'>): Promise<ExpirationPolicy> {
  const row = await db.selectFrom('container_expiration_policies').selectAll().where('project_id', '=', project.id).executeTakeFirst();
  return row ? fromRow(row) : { id: null, project_id: project.id, ...DEFAULT_EXPIRATION };
}

export function expirationPolicyToApi(policy: ExpirationPolicy): PolicyJson {
  return settingsOf(policy);
}

/** Days of an `older_than` value ('14d' → 14). */
export function olderThanDays(value: string): number {
  return Number(value.slice(0, -1));
}

function oneOf<T extends string | number>(field: string, value: unknown, allowed: readonly T[]): T | null {
  if (value === null || value === '') return null;
  const given = typeof allowed[0] === 'number' && typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (!allowed.includes(given as T)) throw errors.badRequest(`container_expiration_policy_attributes[${field}] does not have a valid value (${allowed.join(', ')})`);
  return given as T;
}

/** The settings after GitLab's attributes; admins may also set next_run_at (Trove's, as for package cleanup policies). */
export function applyExpirationUpdate(current: ExpirationSettings, body: Record<string, unknown>, now: Date, maySetNextRunAt: boolean): ExpirationSettings {
  const unknown = Object.keys(body).filter((key) => !KEYS.includes(key as keyof ExpirationSettings));
  if (unknown.length > 0) throw errors.badRequest(`container_expiration_policy_attributes: unknown field(s) ${unknown.join(', ')}`);
  const next: ExpirationSettings = { ...current };
  if (body.enabled !== undefined) {
    if (![true, false, 'true', 'false'].includes(body.enabled as never)) throw errors.badRequest('container_expiration_policy_attributes[enabled] must be true or false');
    next.enabled = String(body.enabled) === 'true';
  }
  if (body.cadence !== undefined) next.cadence = oneOf('cadence', body.cadence, CADENCES) ?? current.cadence;
  if (body.keep_n !== undefined) next.keep_n = oneOf('keep_n', body.keep_n, KEEP_N_VALUES);
  if (body.older_than !== undefined) next.older_than = oneOf('older_than', body.older_than, OLDER_THAN_VALUES);
  for (const field of ['name_regex', 'name_regex_keep'] as const) if (body[field] !== undefined) next[field] = validateRegex(field, body[field]);
  if (!next.enabled) next.next_run_at = null;
  else if (body.next_run_at !== undefined && body.next_run_at !== null) {
    if (!maySetNextRunAt) throw errors.forbidden('next_run_at can be set only by an administrator');
    const time = typeof body.next_run_at === 'string' ? Date.parse(body.next_run_at) : NaN;
    if (Number.isNaN(time)) throw errors.badRequest('next_run_at must be an ISO 8601 timestamp');
    next.next_run_at = new Date(time).toISOString();
  } else if (!current.enabled || next.cadence !== current.cadence || current.next_run_at === null) next.next_run_at = nextRunAfter(next.cadence, now);
  return next;
}

/** Saves GitLab's attributes and records container_expiration_policy_updated with before/after; no change records nothing. */
export async function updateExpirationPolicy(db: Db, audit: AuditLog, ctx: AuditContext, project: Project, body: Record<string, unknown>, maySetNextRunAt: boolean): Promise<ExpirationPolicy> {
  const scope = await loadProjectScope(db, project);
  try {
    return await db.transaction().execute(async (tx) => {
      const current = await expirationPolicyOf(tx, project);
      const next = applyExpirationUpdate(settingsOf(current), body, new Date(), maySetNextRunAt);
      const changes: Changes = {};
      for (const key of KEYS) if (current[key] !== next[key]) changes[key] = { from: current[key], to: next[key] };
      if (Object.keys(changes).length === 0) return current;
      const at = nowIso();
      const values = { ...next, enabled: next.enabled ? 1 : 0, updated_at: at };
      const row =
        current.id === null
          ? await tx.insertInto('container_expiration_policies').values({ ...values, project_id: project.id, created_at: at }).returningAll().executeTakeFirstOrThrow()
          : await tx.updateTable('container_expiration_policies').set(values).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow();
      await audit.record(tx, ctx, {
        eventName: 'container_expiration_policy_updated',
        scope,
        project: { id: project.id, full_path: project.full_path },
        target: { id: row.id, type: 'ContainerExpirationPolicy', details: project.full_path },
        customMessage: `Container cleanup policy changed: ${Object.entries(changes)
          .map(([key, change]) => `${key} ${JSON.stringify(change.from)} -> ${JSON.stringify(change.to)}`)
          .join(', ')}`,
        changes,
      });
      return fromRow(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.conflict('The container expiration policy was changed concurrently; retry');
    throw error;
  }
}

/** Enabled policies whose next_run_at has passed, oldest first. */
export async function dueExpirationPolicies(db: Db, now: Date, limit = 100): Promise<ExpirationPolicy[]> {
  return (await duePolicyRows(db, 'container_expiration_policies', now, limit)).map(fromRow);
}

/** Claims one due run (scheduled-policies.ts): true for the one process that got it. */
export function claimExpirationRun(db: Db, policy: ExpirationPolicy, now: Date): Promise<boolean> {
  return claimPolicyRun(db, 'container_expiration_policies', policy, now);
}

import type { Changes } from '../audit/audit-types.js';
import { errors } from '../errors.js';

// A project's retention policy (docs/api.md#cleanup-policies) with GitLab's field names where GitLab has them
// (container cleanup policy: enabled, cadence, older_than, name_regex, name_regex_keep,
// next_run_at) and what packages need beyond that (keep_n_versions per package name,
// version_regex_keep). Validation happens here, when a policy is saved.

/** GitLab's cadences; months are calendar months. */
export const CADENCES = ['1d', '7d', '14d', '1month', '3month'] as const;
export type Cadence = (typeof CADENCES)[number];

export const REGEX_FIELDS = ['name_regex', 'name_regex_keep', 'version_regex_keep'] as const;
export type RegexField = (typeof REGEX_FIELDS)[number];
export const MAX_REGEX_LENGTH = 255;
const MAX_KEEP_N = 10_000;
const MAX_OLDER_THAN_DAYS = 36_500;

export interface CleanupRules {
  /** Keep the N most recent versions of each package name (null: no count rule). */
  keep_n_versions: number | null;
  /** Delete versions created more than D days ago (null: no age rule). */
  older_than_days: number | null;
  /** Only package names matching this are cleaned up (null: every name). */
  name_regex: string | null;
  /** Package names matching this are never cleaned up. */
  name_regex_keep: string | null;
  /** Versions matching this are never deleted (e.g. ^1\.). */
  version_regex_keep: string | null;
}

export interface CleanupPolicySettings extends CleanupRules {
  enabled: boolean;
  cadence: Cadence;
  /** When the scheduler runs the policy next; null while disabled. */
  next_run_at: string | null;
}

export interface CleanupPolicy extends CleanupPolicySettings {
  /** null until the policy is first saved. */
  id: number | null;
  project_id: number;
}

export const DEFAULT_SETTINGS: CleanupPolicySettings = {
  enabled: false,
  cadence: '1d',
  keep_n_versions: null,
  older_than_days: null,
  name_regex: null,
  name_regex_keep: null,
  version_regex_keep: null,
  next_run_at: null,
};

const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof CleanupPolicySettings)[];

export function rulesOf(settings: CleanupRules): CleanupRules {
  const { keep_n_versions, older_than_days, name_regex, name_regex_keep, version_regex_keep } = settings;
  return { keep_n_versions, older_than_days, name_regex, name_regex_keep, version_regex_keep };
}

/** The next run after `from` for a cadence. */
export function nextRunAfter(cadence: Cadence, from: Date): string {
  const next = new Date(from.getTime());
  switch (cadence) {
    case '1d':
      next.setUTCDate(next.getUTCDate() + 1);
      break;
    case '7d':
      next.setUTCDate(next.getUTCDate() + 7);
      break;
    case '14d':
      next.setUTCDate(next.getUTCDate() + 14);
      break;
    case '1month':
      next.setUTCMonth(next.getUTCMonth() + 1);
      break;
    case '3month':
      next.setUTCMonth(next.getUTCMonth() + 3);
      break;
  }
  return next.toISOString();
}

/**
 * A regex as saved: JavaScript syntax, searched (not anchored), at most 255 characters. Throws 400
 * otherwise. Also the check of regex format settings (src/core/packages/format-settings.ts).
 */
export function validateRegex(field: string, value: unknown): string | null {
  if (value === null || value === '') return null;
  if (typeof value !== 'string') throw errors.badRequest(`${field} must be a string`);
  if (value.length > MAX_REGEX_LENGTH) throw errors.badRequest(`${field} is too long (at most ${MAX_REGEX_LENGTH} characters)`);
  try {
    new RegExp(value); // compiling never runs the pattern, so this is safe for any input
  } catch (error) {
    throw errors.badRequest(`${field} is not a valid regular expression: ${(error as Error).message}`);
  }
  return value;
}

function integerIn(field: string, value: unknown, min: number, max: number): number | null {
  if (value === null || value === '') return null;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw errors.badRequest(`${field} must be an integer from ${min} to ${max}, or null`);
  }
  return number;
}

function booleanOf(field: string, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw errors.badRequest(`${field} must be true or false`);
}

function timestampOf(field: string, value: unknown): string | null {
  if (value === null || value === '') return null;
  const time = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw errors.badRequest(`${field} must be an ISO 8601 timestamp`);
  return new Date(time).toISOString();
}

export interface UpdateOptions {
  now: Date;
  /** next_run_at is computed from the cadence; only administrators may set it (GitLab exposes it read-only). */
  maySetNextRunAt: boolean;
}

/**
 * The settings after a PUT body: unknown fields and invalid values are 400s, and next_run_at is
 * recomputed from the cadence whenever the policy is (re-)enabled or its cadence changes.
 */
export function applyUpdate(current: CleanupPolicySettings, body: Record<string, unknown>, options: UpdateOptions): CleanupPolicySettings {
  const unknown = Object.keys(body).filter((key) => !SETTING_KEYS.includes(key as keyof CleanupPolicySettings));
  if (unknown.length > 0) throw errors.badRequest(`Unknown cleanup policy field(s): ${unknown.join(', ')} (known: ${SETTING_KEYS.join(', ')})`);
  const next: CleanupPolicySettings = { ...current };
  if (body.enabled !== undefined) next.enabled = booleanOf('enabled', body.enabled);
  if (body.cadence !== undefined) {
    if (!CADENCES.includes(body.cadence as Cadence)) throw errors.badRequest(`cadence does not have a valid value (${CADENCES.join(', ')})`);
    next.cadence = body.cadence as Cadence;
  }
  if (body.keep_n_versions !== undefined) next.keep_n_versions = integerIn('keep_n_versions', body.keep_n_versions, 1, MAX_KEEP_N);
  if (body.older_than_days !== undefined) next.older_than_days = integerIn('older_than_days', body.older_than_days, 0, MAX_OLDER_THAN_DAYS);
  for (const field of REGEX_FIELDS) if (body[field] !== undefined) next[field] = validateRegex(field, body[field]);

  if (!next.enabled) {
    if (body.next_run_at !== undefined && body.next_run_at !== null) throw errors.badRequest('next_run_at can be set only on an enabled policy');
    next.next_run_at = null;
  } else if (body.next_run_at !== undefined) {
    if (!options.maySetNextRunAt) throw errors.forbidden('next_run_at can be set only by an administrator');
    next.next_run_at = timestampOf('next_run_at', body.next_run_at) ?? nextRunAfter(next.cadence, options.now);
  } else if (!current.enabled || next.cadence !== current.cadence || current.next_run_at === null) {
    next.next_run_at = nextRunAfter(next.cadence, options.now);
  }
  return next;
}

/** Before/after of every setting that differs, for package_registry_cleanup_policy_updated. */
export function settingChanges(before: CleanupPolicySettings, after: CleanupPolicySettings): Changes {
  const changes: Changes = {};
  for (const key of SETTING_KEYS) if (before[key] !== after[key]) changes[key] = { from: before[key], to: after[key] };
  return changes;
}

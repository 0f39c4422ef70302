import { errors } from '../core/errors.js';
import { matchingInputs, RegexTimeoutError } from '../core/cleanup/sandboxed-regex.js';
import { validateRegex } from '../core/cleanup/cleanup-policy.js';
import type { TagRow } from './repository-reads.js';

// Which tags GitLab's bulk tag delete (`DELETE /projects/:id/registry/repositories/:id/tags`)
// removes: those whose name matches name_regex_delete (or its older name, name_regex), minus those
// matching name_regex_keep, minus the keep_n most recently pointed of the rest, minus those pointed
// less than older_than ago. Regexes match whole names, as GitLab anchors them, and run sandboxed.

export interface BulkTagDeletion {
  name_regex_delete?: string;
  name_regex?: string;
  name_regex_keep?: string;
  keep_n?: string | number;
  older_than?: string;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, month: 30 * 86_400_000, y: 365 * 86_400_000 };
const UNIT_ALIASES: Record<string, string> = { second: 's', seconds: 's', minute: 'm', minutes: 'm', hour: 'h', hours: 'h', day: 'd', days: 'd', week: 'w', weeks: 'w', months: 'month', year: 'y', years: 'y' };

/** GitLab's older_than durations: `1h`, `7d`, `2w`, `1month`, `30 days`. Throws 400 otherwise. */
export function durationMs(value: string): number {
  const match = /^(\d{1,6})\s*([a-z]+)$/.exec(value.trim());
  const unit = match ? (UNIT_ALIASES[match[2]!] ?? match[2]!) : '';
  const ms = UNIT_MS[unit];
  if (!match || ms === undefined) throw errors.badRequest('older_than is invalid');
  return Number(match[1]) * ms;
}

function anchoredMatches(field: string, source: string, names: string[]): Set<string> {
  try {
    return matchingInputs(`^(?:${source})$`, names);
  } catch (error) {
    if (error instanceof RegexTimeoutError) throw errors.badRequest(`${field} took too long to match`);
    throw error;
  }
}

/** The bulk delete's rules, checked: a 400 names the parameter that is wrong. */
export interface TagDeletionRules {
  deleteRegex: string;
  keepRegex: string | null;
  keepN: number;
  olderThanMs: number | null;
}

export function tagDeletionRules(query: BulkTagDeletion): TagDeletionRules {
  const deleteRegex = validateRegex('name_regex_delete', query.name_regex_delete ?? query.name_regex ?? null);
  if (deleteRegex === null) throw errors.badRequest('name_regex_delete is missing');
  const keepRegex = validateRegex('name_regex_keep', query.name_regex_keep ?? null);
  const keepN = query.keep_n === undefined || query.keep_n === '' ? 0 : Number(query.keep_n);
  if (!Number.isSafeInteger(keepN) || keepN < 0) throw errors.badRequest('keep_n is invalid');
  const olderThanMs = query.older_than ? durationMs(query.older_than) : null;
  return { deleteRegex, keepRegex, keepN, olderThanMs };
}

/** The names to delete, in name order. */
export function tagsToDelete(tags: readonly Pick<TagRow, 'name' | 'updated_at' | 'pointed_seq'>[], rules: TagDeletionRules, now = Date.now()): string[] {
  const names = tags.map((t) => t.name);
  const matched = anchoredMatches('name_regex_delete', rules.deleteRegex, names);
  const kept = rules.keepRegex !== null ? anchoredMatches('name_regex_keep', rules.keepRegex, names) : new Set<string>();
  const cutoff = rules.olderThanMs === null ? null : now - rules.olderThanMs;
  const candidates = tags.filter((t) => matched.has(t.name) && !kept.has(t.name)).sort((a, b) => b.pointed_seq - a.pointed_seq);
  return candidates
    .slice(rules.keepN)
    .filter((t) => cutoff === null || Date.parse(t.updated_at) < cutoff)
    .map((t) => t.name)
    .sort();
}

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
  validateRegex(field, source);
  try {
    return matchingInputs(`^(?:${source})$`, names);
  } catch (error) {
    if (error instanceof RegexTimeoutError) throw errors.badRequest(`${field} took too long to match`);
    throw error;
  }
}

/** The names to delete, in name order. */
export function tagsToDelete(tags: readonly Pick<TagRow, 'name' | 'updated_at' | 'pointed_seq'>[], query: BulkTagDeletion, now = Date.now()): string[] {
  const deleteRegex = query.name_regex_delete ?? query.name_regex;
  if (deleteRegex === undefined || deleteRegex === '') throw errors.badRequest('name_regex_delete is missing');
  const keepN = query.keep_n === undefined || query.keep_n === '' ? 0 : Number(query.keep_n);
  if (!Number.isSafeInteger(keepN) || keepN < 0) throw errors.badRequest('keep_n is invalid');
  const cutoff = query.older_than ? now - durationMs(query.older_than) : null;
  const names = tags.map((t) => t.name);
  const matched = anchoredMatches('name_regex_delete', deleteRegex, names);
  const kept = query.name_regex_keep ? anchoredMatches('name_regex_keep', query.name_regex_keep, names) : new Set<string>();
  const candidates = tags.filter((t) => matched.has(t.name) && !kept.has(t.name)).sort((a, b) => b.pointed_seq - a.pointed_seq);
  return candidates
    .slice(keepN)
    .filter((t) => cutoff === null || Date.parse(t.updated_at) < cutoff)
    .map((t) => t.name)
    .sort();
}

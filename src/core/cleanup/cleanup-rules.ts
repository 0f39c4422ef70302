import type { CleanupRules, RegexField } from './cleanup-policy.js';

// Which versions a policy deletes, as pure functions of the versions, their tags, the rules and
// the time. A version is deleted only when every rule that is set selects it:
//   - it is not among the keep_n_versions most recent versions of its package name (by creation),
//   - it was created more than older_than_days days ago,
//   - its package name matches name_regex (when set),
// and nothing keeps it: a name matching name_regex_keep, a version matching version_regex_keep,
// or a tag (npm dist-tag such as `latest`) pointing at it. A policy with neither keep_n_versions
// nor older_than_days selects nothing, so a half-filled policy cannot empty a project.

export interface VersionCandidate {
  id: number;
  format: string;
  name: string;
  normalized_name: string;
  version: string;
  created_at: string;
  /** Tags pointing at this version; a tagged version is always kept. */
  tags: string[];
}

/** For each regex rule that is set, the inputs it matched (names, or versions for version_regex_keep). */
export type RegexMatches = Record<RegexField, ReadonlySet<string> | null>;

export interface SelectedVersion {
  candidate: VersionCandidate;
  /** The rules that selected it, e.g. "keep_n_versions=2, older_than_days=30" (the deletion event's reason). */
  reason: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** What each regex rule is evaluated against: distinct package names, and distinct versions. */
export function regexInputs(candidates: readonly VersionCandidate[]): Record<RegexField, string[]> {
  const names = [...new Set(candidates.map((c) => c.name))];
  return { name_regex: names, name_regex_keep: names, version_regex_keep: [...new Set(candidates.map((c) => c.version))] };
}

/** The deletion rules that are set, as the reason recorded with each deletion. */
export function selectionReason(rules: CleanupRules): string | null {
  const parts: string[] = [];
  if (rules.keep_n_versions !== null) parts.push(`keep_n_versions=${rules.keep_n_versions}`);
  if (rules.older_than_days !== null) parts.push(`older_than_days=${rules.older_than_days}`);
  if (parts.length === 0) return null;
  if (rules.name_regex !== null) parts.push(`name_regex=${rules.name_regex}`);
  return parts.join(', ');
}

/** Newest first: by creation time, then by id (versions published within one millisecond). */
function newestFirst(a: VersionCandidate, b: VersionCandidate): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return b.id - a.id;
}

export function selectVersionsToDelete(candidates: readonly VersionCandidate[], rules: CleanupRules, matches: RegexMatches, now: Date): SelectedVersion[] {
  for (const field of ['name_regex', 'name_regex_keep', 'version_regex_keep'] as const) {
    if ((rules[field] === null) !== (matches[field] === null)) throw new Error(`${field}: rule and its matches disagree`);
  }
  const reason = selectionReason(rules);
  if (reason === null) return [];
  const cutoff = rules.older_than_days === null ? null : now.getTime() - rules.older_than_days * DAY_MS;
  const byPackage = new Map<string, VersionCandidate[]>();
  for (const candidate of candidates) {
    const key = `${candidate.format}\u0000${candidate.normalized_name}`;
    byPackage.set(key, [...(byPackage.get(key) ?? []), candidate]);
  }
  const selected: SelectedVersion[] = [];
  for (const versions of byPackage.values()) {
    const ranked = [...versions].sort(newestFirst);
    ranked.forEach((candidate, rank) => {
      if (rules.keep_n_versions !== null && rank < rules.keep_n_versions) return;
      if (cutoff !== null && !(Date.parse(candidate.created_at) < cutoff)) return;
      if (matches.name_regex !== null && !matches.name_regex.has(candidate.name)) return;
      if (matches.name_regex_keep?.has(candidate.name)) return;
      if (matches.version_regex_keep?.has(candidate.version)) return;
      if (candidate.tags.length > 0) return;
      selected.push({ candidate, reason });
    });
  }
  return selected.sort(
    (a, b) =>
      a.candidate.format.localeCompare(b.candidate.format) ||
      a.candidate.normalized_name.localeCompare(b.candidate.normalized_name) ||
      -newestFirst(a.candidate, b.candidate),
  );
}

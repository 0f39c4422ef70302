import type { Db } from '../../storage/db/database.js';
import type { Project } from '../accounts/projects.js';
import { namespaceOfProject } from '../accounts/namespaces.js';
import { matchingInputs, RegexTimeoutError } from '../cleanup/sandboxed-regex.js';
import { formatSettingsOf, type BooleanFormatSetting, type RegexFormatSetting } from './format-settings.js';

// GitLab's rule for a file that already exists in a package version, shared by the formats that
// have it (generic, Maven): `<format>_duplicates_allowed` says what happens by default and
// `<format>_duplicate_exception_regex` names the packages for which the opposite holds. Off with a
// pattern: duplicates are refused except where the name or version matches; on with a pattern:
// allowed except where they match. '' means no exception. The pattern matches anywhere in the
// name or version, as GitLab's does (anchor it with ^...$ for a whole match).

/** A format's duplicate settings in effect for one namespace. */
export interface DuplicateRule {
  allowed: boolean;
  exceptionRegex: string;
}

/** The pair of settings a format declares for its duplicate rule. */
export interface DuplicateSettings {
  allowed: BooleanFormatSetting;
  exceptionRegex: RegexFormatSetting;
}

/**
 * Whether a duplicate of this package version may be stored: `allowed`, unless the name or version
 * matches the exception. The pattern is an owner's input matched against a publisher's names, so
 * it runs with the time limit of cleanup policies' regexes; one that does not finish allows no
 * duplicate, whichever way the switch is set: nothing is overwritten on a rule that gave no answer.
 */
export function duplicateAllowed(rule: DuplicateRule, name: string, version: string): boolean {
  if (rule.exceptionRegex === '') return rule.allowed;
  try {
    const excepted = matchingInputs(rule.exceptionRegex, [name, version]).size > 0;
    return rule.allowed !== excepted;
  } catch (error) {
    if (error instanceof RegexTimeoutError) return false;
    throw error;
  }
}

/** Both settings in effect for the project's namespace (set there, on the nearest namespace above, or the defaults), read at once. */
export async function duplicateRuleFor(db: Db, project: Project, settings: DuplicateSettings): Promise<DuplicateRule> {
  const namespace = await namespaceOfProject(db, project);
  const values = await formatSettingsOf(db, namespace, [settings.allowed, settings.exceptionRegex]);
  return { allowed: values[`${settings.allowed.key}_effective`] as boolean, exceptionRegex: values[`${settings.exceptionRegex.key}_effective`] as string };
}

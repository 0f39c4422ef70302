import type { Db, Tx } from '../../../storage/db/database.js';
import type { PackageProtectionRulesTable } from '../../../storage/db/schema.js';
import { AccessLevel } from '../../accounts/access-levels.js';
import { namespaceChainOfProject } from '../../accounts/namespaces.js';
import type { Project } from '../../accounts/projects.js';

// What a package protection rule is and which rules bind a project's package (docs/api.md#package-protection-rules).

export type ProtectionRule = Omit<PackageProtectionRulesTable, 'id'> & { id: number };

/** GitLab's names for the levels a rule can require; `admin` is above every project role. */
export const PROTECTION_LEVELS = ['maintainer', 'owner', 'admin'] as const;
export type ProtectionLevel = (typeof PROTECTION_LEVELS)[number];

export const ADMIN_LEVEL = AccessLevel.owner + 10;

const LEVEL_VALUES: Record<ProtectionLevel, number> = { maintainer: AccessLevel.maintainer, owner: AccessLevel.owner, admin: ADMIN_LEVEL };

export function protectionLevelValue(level: ProtectionLevel): number {
  return LEVEL_VALUES[level];
}

export function isProtectionLevel(value: unknown): value is ProtectionLevel {
  return typeof value === 'string' && (PROTECTION_LEVELS as readonly string[]).includes(value);
}

export const MAX_PATTERN_LENGTH = 255;

/**
 * `*` matches any run of characters, everything else itself; the whole name must match. Compared
 * without regard to case by default: a rule then also covers the spellings a format treats as the
 * same name (PyPI), and a protection that matches too much errs on the safe side. A pattern that
 * grants something (a trusted publisher's claim condition) compares case and all: there, matching
 * too much would be the unsafe side.
 */
export function patternMatches(pattern: string, name: string, options: { ignoreCase?: boolean } = {}): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, options.ignoreCase === false ? 's' : 'is').test(name);
}

/** The rules that bind packages of `project`: its own, then those of every group above it. */
export async function rulesBinding(db: Db | Tx, project: Project): Promise<ProtectionRule[]> {
  const chain = await namespaceChainOfProject(db, project);
  const groupIds = chain[0]!.kind === 'group' ? chain.map((ns) => ns.id) : [];
  return db
    .selectFrom('package_protection_rules')
    .selectAll()
    .where((eb) => (groupIds.length > 0 ? eb.or([eb('project_id', '=', project.id), eb('namespace_id', 'in', groupIds)]) : eb('project_id', '=', project.id)))
    .orderBy('id')
    .execute();
}

export type ProtectedOperation = 'push' | 'delete';

export function requiredLevel(rule: ProtectionRule, operation: ProtectedOperation): ProtectionLevel | null {
  const level = operation === 'push' ? rule.minimum_access_level_for_push : rule.minimum_access_level_for_delete;
  return isProtectionLevel(level) ? level : null;
}

/** The rules protecting `operation` on this package (matching type and name, with a level for it). */
export function rulesFor(rules: readonly ProtectionRule[], operation: ProtectedOperation, pkg: { format: string; name: string; normalizedName: string }): ProtectionRule[] {
  return rules.filter(
    (rule) =>
      rule.package_type === pkg.format &&
      requiredLevel(rule, operation) !== null &&
      (patternMatches(rule.package_name_pattern, pkg.name) || patternMatches(rule.package_name_pattern, pkg.normalizedName)),
  );
}

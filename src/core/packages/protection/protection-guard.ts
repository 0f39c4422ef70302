import type { Tx } from '../../../storage/db/database.js';
import { getRow } from '../../../storage/db/row-lookup.js';
import { AccessLevel } from '../../accounts/access-levels.js';
import { userProjectLevel } from '../../accounts/permissions.js';
import type { Project } from '../../accounts/projects.js';
import type { ActorSnapshot } from '../../audit/audit-types.js';
import { PackageWriteRefusal } from '../write-refusal.js';
import { ADMIN_LEVEL, patternMatches, protectionLevelValue, requiredLevel, rulesBinding, rulesFor, type ProtectedOperation, type ProtectionLevel, type ProtectionRule } from './protection-rules.js';

/**
 * Who writes, as far as protection rules care. Taken from the writer's actor (the AuditContext every
 * write already carries), so no write path has to remember to pass it: users, their personal access
 * tokens and CI job tokens act with the user's level on the project (admins above owners); deploy
 * tokens have none and pass only rules that allow them; OIDC tokens (trusted publishing) act at the
 * developer level; system mechanisms (cleanup policies) never pass a rule.
 */
export type ProtectionSubject = { kind: 'user'; level: number } | { kind: 'deploy_token' } | { kind: 'system' };

export async function subjectOf(tx: Tx, actor: ActorSnapshot, project: Project): Promise<ProtectionSubject> {
  if (actor.type === 'deploy_token') return { kind: 'deploy_token' };
  if (actor.type === 'system') return { kind: 'system' };
  if (actor.type === 'oidc') return { kind: 'user', level: AccessLevel.developer };
  if (actor.user_id === null) return { kind: 'user', level: AccessLevel.none };
  const user = await getRow(tx, 'users', { id: actor.user_id });
  if (user.is_admin === 1) return { kind: 'user', level: ADMIN_LEVEL };
  return { kind: 'user', level: await userProjectLevel(tx, user.id, false, project) };
}

/** Whether `subject` meets a rule's `level` (null: nothing required); container tag rules reuse it. */
export function meetsLevel(subject: ProtectionSubject, level: ProtectionLevel | null, allowDeployTokens: boolean): boolean {
  if (level === null) return true;
  switch (subject.kind) {
    case 'system':
      return false;
    case 'deploy_token':
      return allowDeployTokens;
    case 'user':
      return subject.level >= protectionLevelValue(level);
  }
}

function passes(subject: ProtectionSubject, rule: ProtectionRule, operation: ProtectedOperation): boolean {
  return meetsLevel(subject, requiredLevel(rule, operation), rule.allow_deploy_tokens === 1);
}

/** The package a refused write was about, as a publish_denied event names it. */
export interface ProtectedPackage {
  format: string;
  name: string;
  normalized_name: string;
  version: string;
}

/** A write a protection rule refused: 403 with the rule in the message. */
export class PackageProtectedError extends PackageWriteRefusal {
  constructor(
    message: string,
    project: Project,
    override readonly pkg: ProtectedPackage,
  ) {
    super('PACKAGE_PROTECTED', message, project, pkg);
  }
}

function refusal(rule: ProtectionRule, subject: ProtectionSubject, operation: ProtectedOperation, project: Project, pkg: ProtectedPackage): PackageProtectedError {
  const scope = rule.project_id !== null ? 'project' : 'group';
  const who = subject.kind === 'deploy_token' ? 'deploy tokens are not allowed' : subject.kind === 'system' ? 'no automatic process may do it' : `needs ${requiredLevel(rule, operation)}`;
  const message = `403 Forbidden - Package protected by ${scope} protection rule ${rule.id} (${rule.package_type} "${rule.package_name_pattern}"): ${operation} ${who}`;
  return new PackageProtectedError(message, project, pkg);
}

/** A write outside the package type or name pattern of the trusted publisher an OIDC token was minted for. */
export class TrustedPublisherLimitError extends PackageWriteRefusal {
  constructor(message: string, project: Project, pkg: ProtectedPackage) {
    super('TRUSTED_PUBLISHER_LIMIT', message, project, pkg);
  }
}

/** The publisher's limits, copied onto the OIDC token when it was minted (migration 029). */
async function checkTrustedPublisherLimits(tx: Tx, actor: ActorSnapshot, project: Project, pkg: ProtectedPackage): Promise<void> {
  if (actor.token_id === null) return;
  const token = await getRow(tx, 'oidc_tokens', { id: actor.token_id });
  const limit = `403 Forbidden - trusted publisher ${token.trusted_publisher_id} may publish only`;
  if (token.package_type !== null && token.package_type !== pkg.format) {
    throw new TrustedPublisherLimitError(`${limit} ${token.package_type} packages, not ${pkg.format}`, project, pkg);
  }
  if (token.package_name_pattern !== null && !patternMatches(token.package_name_pattern, pkg.name) && !patternMatches(token.package_name_pattern, pkg.normalized_name)) {
    throw new TrustedPublisherLimitError(`${limit} packages named "${token.package_name_pattern}", not "${pkg.name}"`, project, pkg);
  }
}

export function isProtectionRefusal(error: unknown): error is PackageProtectedError {
  return error instanceof PackageProtectedError;
}

/**
 * The check every PackageWriter operation makes before it changes anything (push: publish, add or
 * replace a file, tag, deprecate, change status; delete: a version, a file, a tag). Rules and the
 * writer's level are read once per write, in its transaction.
 */
export class ProtectionGuard {
  private rules: Promise<ProtectionRule[]> | undefined;
  private subject: Promise<ProtectionSubject> | undefined;
  private readonly limitsChecked = new Set<string>();

  constructor(
    private readonly tx: Tx,
    private readonly actor: ActorSnapshot,
    private readonly project: Project,
  ) {}

  async check(operation: ProtectedOperation, pkg: ProtectedPackage): Promise<void> {
    if (this.actor.type === 'oidc' && !this.limitsChecked.has(`${pkg.format}\n${pkg.name}`)) {
      await checkTrustedPublisherLimits(this.tx, this.actor, this.project, pkg);
      this.limitsChecked.add(`${pkg.format}\n${pkg.name}`);
    }
    this.rules ??= rulesBinding(this.tx, this.project);
    const binding = rulesFor(await this.rules, operation, { format: pkg.format, name: pkg.name, normalizedName: pkg.normalized_name });
    if (binding.length === 0) return;
    this.subject ??= subjectOf(this.tx, this.actor, this.project);
    const subject = await this.subject;
    const refusing = binding.find((rule) => !passes(subject, rule, operation));
    if (refusing) throw refusal(refusing, subject, operation, this.project, pkg);
  }
}

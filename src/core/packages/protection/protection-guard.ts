import type { Tx } from '../../../storage/db/database.js';
import { getRow } from '../../../storage/db/row-lookup.js';
import { AccessLevel } from '../../accounts/access-levels.js';
import { userProjectLevel } from '../../accounts/permissions.js';
import type { Project } from '../../accounts/projects.js';
import type { ActorSnapshot } from '../../audit/audit-types.js';
import { PackageWriteRefusal } from '../write-refusal.js';
import { ADMIN_LEVEL, protectionLevelValue, requiredLevel, rulesBinding, rulesFor, type ProtectedOperation, type ProtectionLevel, type ProtectionRule } from './protection-rules.js';

/**
 * Who writes, as far as protection rules care. Taken from the writer's actor (the AuditContext every
 * write already carries), so no write path has to remember to pass it: users, their personal access
 * tokens and CI job tokens act with the user's level on the project (admins above owners); deploy
 * tokens have none and pass only rules that allow them; system mechanisms (cleanup policies) never
 * pass a rule.
 */
export type ProtectionSubject = { kind: 'user'; level: number } | { kind: 'deploy_token' } | { kind: 'system' };

export async function subjectOf(tx: Tx, actor: ActorSnapshot, project: Project): Promise<ProtectionSubject> {
  if (actor.type === 'deploy_token') return { kind: 'deploy_token' };
  if (actor.type === 'system') return { kind: 'system' };
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

  constructor(
    private readonly tx: Tx,
    private readonly actor: ActorSnapshot,
    private readonly project: Project,
  ) {}

  async check(operation: ProtectedOperation, pkg: ProtectedPackage): Promise<void> {
    this.rules ??= rulesBinding(this.tx, this.project);
    const binding = rulesFor(await this.rules, operation, { format: pkg.format, name: pkg.name, normalizedName: pkg.normalized_name });
    if (binding.length === 0) return;
    this.subject ??= subjectOf(this.tx, this.actor, this.project);
    const subject = await this.subject;
    const refusing = binding.find((rule) => !passes(subject, rule, operation));
    if (refusing) throw refusal(refusing, subject, operation, this.project, pkg);
  }
}

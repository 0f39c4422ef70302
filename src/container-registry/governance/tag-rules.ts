import type { Selectable } from 'kysely';
import type { Db, Tx } from '../../storage/db/database.js';
import type { ContainerTagProtectionRulesTable } from '../../storage/db/schema.js';
import type { Project } from '../../core/accounts/projects.js';
import type { ActorSnapshot } from '../../core/audit/audit-types.js';
import { meetsLevel, subjectOf, type ProtectionSubject } from '../../core/packages/protection/protection-guard.js';
import { isProtectionLevel, type ProtectionLevel } from '../../core/packages/protection/protection-rules.js';
import { PackageWriteRefusal } from '../../core/packages/write-refusal.js';
import { matchingInputs, RegexTimeoutError } from '../../core/cleanup/sandboxed-regex.js';

// GitLab's protected and immutable container tags (docs.gitlab.com, "Protected container tags",
// "Immutable container tags"). A rule's tag_name_pattern is a regular expression searched in the
// tag name (`latest` also matches `latest-rc`; anchor with ^ and $), run in the cleanup policies'
// sandbox with a time limit. A rule with both access levels null is immutable: a matching tag may be
// created by anyone who may push, but nobody (administrators and cleanup policies included) moves or
// deletes it. A protected rule requires its levels as package protection rules do: users (and job
// tokens, as their user) by their role, deploy tokens and system mechanisms never.

export type TagRule = Selectable<ContainerTagProtectionRulesTable>;

/** How long one rule's pattern may take on one tag name; a pattern that runs out protects (the safe side). */
const MATCH_TIME_LIMIT_MS = 100;

export function isImmutableRule(rule: Pick<TagRule, 'minimum_access_level_for_push' | 'minimum_access_level_for_delete'>): boolean {
  return rule.minimum_access_level_for_push === null && rule.minimum_access_level_for_delete === null;
}

export function levelOf(value: string | null): ProtectionLevel | null {
  return isProtectionLevel(value) ? value : null;
}

export function tagMatches(rule: Pick<TagRule, 'tag_name_pattern'>, tag: string): boolean {
  try {
    return matchingInputs(rule.tag_name_pattern, [tag], MATCH_TIME_LIMIT_MS).size === 1;
  } catch (error) {
    if (error instanceof RegexTimeoutError) return true;
    throw error;
  }
}

export async function tagRulesOf(db: Db | Tx, project: Pick<Project, 'id'>): Promise<TagRule[]> {
  return db.selectFrom('container_tag_protection_rules').selectAll().where('project_id', '=', project.id).orderBy('id').execute();
}

export type TagOperation = 'push' | 'delete';

/** A tag write a rule refused: OCI `DENIED` (403) naming the rule, audited as container_registry_push_denied. */
export class ContainerTagProtectedError extends PackageWriteRefusal {
  constructor(message: string, project: Project, repository: string, tag: string) {
    super('DENIED', message, project, { format: 'container', name: repository, version: tag });
  }
}

function describe(rule: TagRule): string {
  return `${isImmutableRule(rule) ? 'immutable' : 'protection'} rule ${rule.id} ("${rule.tag_name_pattern}")`;
}

/** Why `subject` may not do `operation` under `rule`, or null when it may. */
function refusalOf(rule: TagRule, subject: ProtectionSubject, operation: TagOperation, moving: boolean): string | null {
  if (isImmutableRule(rule)) {
    if (operation === 'push' && !moving) return null;
    return `nobody may ${operation === 'push' ? 'move' : 'delete'} an immutable tag`;
  }
  const level = levelOf(operation === 'push' ? rule.minimum_access_level_for_push : rule.minimum_access_level_for_delete);
  if (meetsLevel(subject, level, false)) return null;
  if (subject.kind === 'deploy_token') return `${operation} is not allowed with deploy tokens`;
  if (subject.kind === 'system') return `no automatic process may ${operation} it`;
  return `${operation} needs ${level}`;
}

/**
 * The check RegistryWriter makes before a tag is created, moved or deleted. Rules and the writer's
 * level are read once per write, in its transaction.
 */
export class TagProtectionGuard {
  private rules: Promise<TagRule[]> | undefined;
  private subject: Promise<ProtectionSubject> | undefined;

  constructor(
    private readonly tx: Tx,
    private readonly actor: ActorSnapshot,
    private readonly project: Project,
  ) {}

  /** `moving`: the push points an existing tag at another manifest (a new tag is not moving). */
  async check(operation: TagOperation, repository: string, tag: string, moving = false): Promise<void> {
    this.rules ??= tagRulesOf(this.tx, this.project);
    const matching = (await this.rules).filter((rule) => tagMatches(rule, tag));
    if (matching.length === 0) return;
    this.subject ??= subjectOf(this.tx, this.actor, this.project);
    const subject = await this.subject;
    for (const rule of matching) {
      const reason = refusalOf(rule, subject, operation, moving);
      if (reason !== null) throw new ContainerTagProtectedError(`tag ${repository}:${tag} is protected by ${describe(rule)}: ${reason}`, this.project, repository, tag);
    }
  }
}

export function isTagProtectionRefusal(error: unknown): error is ContainerTagProtectedError {
  return error instanceof ContainerTagProtectedError;
}

/**
 * A project's deletion (alone or with its group) removes every tag of its repositories: refused,
 * naming the rule, when one of them is immutable or protected against the deleter.
 */
export async function assertProjectTagsDeletable(tx: Tx, actor: ActorSnapshot, project: Project): Promise<void> {
  const tags = await tx
    .selectFrom('container_tags')
    .innerJoin('container_repositories', 'container_repositories.id', 'container_tags.repository_id')
    .select(['container_repositories.name as repository', 'container_tags.name as tag'])
    .where('container_repositories.project_id', '=', project.id)
    .orderBy('container_repositories.name')
    .orderBy('container_tags.name')
    .execute();
  if (tags.length === 0) return;
  const guard = new TagProtectionGuard(tx, actor, project);
  for (const { repository, tag } of tags) await guard.check('delete', repository, tag);
}

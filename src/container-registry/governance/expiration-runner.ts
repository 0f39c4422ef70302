import type { Db } from '../../storage/db/database.js';
import type { Project } from '../../core/accounts/projects.js';
import type { AuditLog } from '../../core/audit/audit-log.js';
import { loadProjectScope } from '../../core/audit/audit-scope.js';
import { systemAuditContext, type AuditContext } from '../../core/audit/audit-types.js';
import { matchingInputs, RegexTimeoutError } from '../../core/cleanup/sandboxed-regex.js';
import type { BackgroundJob } from '../../core/jobs/job-scheduler.js';
import { findProject } from '../../core/accounts/projects.js';
import type { RegistryService } from '../registry-service.js';
import { locateRepository } from '../repository-names.js';
import { claimExpirationRun, dueExpirationPolicies, olderThanDays, type ExpirationPolicy } from './expiration-policy.js';
import { isTagProtectionRefusal } from './tag-rules.js';

// One run of a project's container expiration policy, GitLab's way, per repository: the tags whose
// whole name matches name_regex and not name_regex_keep are candidates; the keep_n most recently
// pushed of them stay; of the rest, those last pushed more than older_than ago are deleted. Each
// delete goes through the registry writer (one transaction per tag, a tag_deleted event naming the
// system actor), so protected and immutable tags are refused there and counted as skipped. The run
// ends with one container_expiration_policy_executed event with the counts.

export const EXPIRATION_ACTOR_NAME = 'Container registry cleanup policy';
export const EXPIRATION_JOB_NAME = 'container-expiration-policies';
export const EXPIRATION_JOB_INTERVAL_MS = 10 * 60 * 1000;
const REGEX_TIME_LIMIT_MS = 500;

export interface TagCandidate {
  repository: string;
  tag: string;
  /** When the tag last changed (its push or move). */
  updated_at: string;
}

export interface ExpirationRunResult {
  tags_considered: number;
  deleted: string[];
  skipped: { tag: string; reason: string }[];
  errors: string[];
}

/** Whole-name matches of a policy regex over every tag name, in the sandbox with a time limit. */
function wholeMatches(source: string | null, names: string[]): Set<string> | null {
  return source === null ? null : matchingInputs(`^(?:${source})$`, names, REGEX_TIME_LIMIT_MS);
}

/** The tags a run deletes (`<repository>:<tag>`), oldest first; pure but for the regex sandbox. */
export function selectExpiredTags(policy: ExpirationPolicy, tags: TagCandidate[], now: Date): TagCandidate[] {
  const names = [...new Set(tags.map((t) => t.tag))];
  const deletable = wholeMatches(policy.name_regex, names);
  if (deletable === null) return [];
  const kept = wholeMatches(policy.name_regex_keep, names) ?? new Set<string>();
  const cutoff = policy.older_than === null ? null : now.getTime() - olderThanDays(policy.older_than) * 86_400_000;
  const selected: TagCandidate[] = [];
  const repositories = [...new Set(tags.map((t) => t.repository))];
  for (const repository of repositories) {
    const candidates = tags
      .filter((t) => t.repository === repository && deletable.has(t.tag) && !kept.has(t.tag))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at) || a.tag.localeCompare(b.tag));
    const beyondKeep = candidates.slice(policy.keep_n ?? 0);
    selected.push(...beyondKeep.filter((t) => cutoff === null || Date.parse(t.updated_at) < cutoff));
  }
  return selected.sort((a, b) => a.updated_at.localeCompare(b.updated_at));
}

export function expirationAuditContext(policyId: number): AuditContext {
  return systemAuditContext(EXPIRATION_ACTOR_NAME, { policy_id: policyId });
}

export class ExpirationRunner {
  constructor(
    private readonly db: Db,
    private readonly registry: RegistryService,
    private readonly audit: AuditLog,
  ) {}

  private async tagsOf(project: Project): Promise<TagCandidate[]> {
    return this.db
      .selectFrom('container_tags')
      .innerJoin('container_repositories', 'container_repositories.id', 'container_tags.repository_id')
      .select(['container_repositories.name as repository', 'container_tags.name as tag', 'container_tags.updated_at'])
      .where('container_repositories.project_id', '=', project.id)
      .orderBy('container_repositories.name')
      .orderBy('container_tags.name')
      .execute();
  }

  private async deleteOne(ctx: AuditContext, candidate: TagCandidate): Promise<boolean> {
    const location = await locateRepository(this.db, candidate.repository);
    const repository = await this.db.selectFrom('container_repositories').selectAll().where('name', '=', candidate.repository).executeTakeFirst();
    if (!location || !repository) return false;
    const still = await this.db.selectFrom('container_tags').select('updated_at').where('repository_id', '=', repository.id).where('name', '=', candidate.tag).executeTakeFirst();
    if (still?.updated_at !== candidate.updated_at) return false; // deleted or moved since the selection
    await this.registry.write(ctx, location, (writer) => writer.deleteTag(repository, candidate.tag));
    return true;
  }

  async run(policy: ExpirationPolicy & { id: number }, project: Project): Promise<ExpirationRunResult> {
    const ctx = expirationAuditContext(policy.id);
    const tags = await this.tagsOf(project);
    const result: ExpirationRunResult = { tags_considered: tags.length, deleted: [], skipped: [], errors: [] };
    let selected: TagCandidate[] = [];
    try {
      selected = selectExpiredTags(policy, tags, new Date());
    } catch (error) {
      if (!(error instanceof RegexTimeoutError)) throw error;
      result.errors.push(`${error.message}; nothing was deleted`);
    }
    for (const candidate of selected) {
      const label = `${candidate.repository}:${candidate.tag}`;
      try {
        if (await this.deleteOne(ctx, candidate)) result.deleted.push(label);
      } catch (error) {
        // A protected or immutable tag is kept on purpose: counted as skipped, not a failure.
        if (isTagProtectionRefusal(error)) result.skipped.push({ tag: label, reason: error.message });
        else result.errors.push(`${label}: ${(error as Error).message}`);
      }
    }
    await this.recordExecuted(ctx, policy, project, result);
    return result;
  }

  private async recordExecuted(ctx: AuditContext, policy: ExpirationPolicy & { id: number }, project: Project, result: ExpirationRunResult): Promise<void> {
    const failed = result.errors.length > 0;
    await this.audit.recordAlone(this.db, ctx, {
      eventName: 'container_expiration_policy_executed',
      outcome: failed ? 'failure' : 'success',
      reason: failed ? result.errors.join('; ') : undefined,
      scope: await loadProjectScope(this.db, project),
      project: { id: project.id, full_path: project.full_path },
      target: { id: policy.id, type: 'ContainerExpirationPolicy', details: project.full_path },
      customMessage: `Container cleanup policy ran: deleted ${result.deleted.length} of ${result.tags_considered} tags, kept ${result.skipped.length} protected${failed ? `, ${result.errors.length} error(s)` : ''}`,
      changes: {
        rules: { from: null, to: { keep_n: policy.keep_n, older_than: policy.older_than, name_regex: policy.name_regex, name_regex_keep: policy.name_regex_keep } },
        tags_considered: { from: null, to: result.tags_considered },
        tags_deleted: { from: null, to: result.deleted },
        tags_skipped: { from: null, to: result.skipped },
        errors: { from: null, to: result.errors },
      },
    });
  }
}

/** Runs due container expiration policies in the leading process; each run is claimed by compare-and-set. */
export function expirationPoliciesJob(db: Db, runner: ExpirationRunner, intervalMs: number): BackgroundJob {
  return {
    name: EXPIRATION_JOB_NAME,
    intervalMs,
    async run() {
      const now = new Date();
      const ran: string[] = [];
      const failed: string[] = [];
      for (const policy of await dueExpirationPolicies(db, now)) {
        if (policy.id === null || !(await claimExpirationRun(db, policy, now))) continue;
        const project = await findProject(db, policy.project_id);
        if (!project) continue;
        try {
          const result = await runner.run({ ...policy, id: policy.id }, project);
          ran.push(`${project.full_path}: ${result.deleted.length} deleted, ${result.skipped.length} protected`);
        } catch (error) {
          failed.push(`${project.full_path}: ${(error as Error).message}`);
        }
      }
      if (failed.length > 0) throw new Error(`container expiration policies failed: ${failed.join('; ')}`);
      return ran.length === 0 ? 'no container expiration policy due' : `ran ${ran.length} container expiration policies (${ran.join('; ')})`;
    },
  };
}

import { performance } from 'node:perf_hooks';
import type { CleanupItem, CleanupRunResult } from '../../contracts/cleanup.js';
import type { Db } from '../../storage/db/database.js';
import type { Project } from '../accounts/projects.js';
import type { AuditLog } from '../audit/audit-log.js';
import { loadProjectScope } from '../audit/audit-scope.js';
import { systemAuditContext, type ActorSnapshot, type AuditContext } from '../audit/audit-types.js';
import { describeHold, holdsCovering } from '../packages/legal-hold/legal-hold-guard.js';
import type { PackageService } from '../packages/package-service.js';
import { isProtectionRefusal } from '../packages/protection/protection-guard.js';
import { REGEX_FIELDS, rulesOf, type CleanupPolicy } from './cleanup-policy.js';
import { regexInputs, selectVersionsToDelete, type RegexMatches, type SelectedVersion, type VersionCandidate } from './cleanup-rules.js';
import { DEFAULT_REGEX_TIME_LIMIT_MS, matchingInputs, RegexTimeoutError } from './sandboxed-regex.js';

// One run of a project's cleanup policy: select with the pure rules, delete each version through
// PackageService (one transaction per version, each with its package_deleted event naming the
// system actor and the rule), then record one package_registry_cleanup_policy_executed.

export const CLEANUP_ACTOR_NAME = 'Packages cleanup policy';

/** A selected (or deleted) version and what a run did: the run endpoint's answer. */
export type { CleanupItem, CleanupRunResult } from '../../contracts/cleanup.js';

export type CleanupTrigger = CleanupRunResult['trigger'];

export interface RunOptions {
  dryRun: boolean;
  trigger: CleanupTrigger;
  /** Who asked for a manual run (named in the executed event, never on the deletions). */
  requestedBy?: { user_id: number; username: string } | null;
}

/** docs/architecture.md#the-audit-record: the mechanism, never a user. `project` tells which project's policy acted. */
export function cleanupAuditContext(policyId: number, project: Project): AuditContext {
  const ctx = systemAuditContext(CLEANUP_ACTOR_NAME, { policy_id: policyId });
  const actor: ActorSnapshot & { project: { id: number; full_path: string } } = {
    ...ctx.actor,
    project: { id: project.id, full_path: project.full_path },
  };
  return { ...ctx, actor };
}

function itemOf(selected: SelectedVersion): CleanupItem {
  const c = selected.candidate;
  return { id: c.id, package_type: c.format, name: c.name, version: c.version, created_at: c.created_at, reason: selected.reason };
}

export class CleanupRunner {
  constructor(
    private readonly db: Db,
    private readonly packages: PackageService,
    private readonly audit: AuditLog,
    private readonly regexTimeLimitMs = DEFAULT_REGEX_TIME_LIMIT_MS,
  ) {}

  private async candidatesOf(project: Project): Promise<VersionCandidate[]> {
    const rows = await this.db
      .selectFrom('packages')
      .select(['id', 'format', 'name', 'normalized_name', 'version', 'created_at'])
      .where('project_id', '=', project.id)
      // Deleted versions are the purge job's: neither deleted again nor counted among those kept.
      .where('status', '!=', 'pending_destruction')
      .orderBy('id')
      .execute();
    const tags = await this.db.selectFrom('package_tags').select(['package_id', 'tag']).where('project_id', '=', project.id).execute();
    return rows.map((row) => ({ ...row, tags: tags.filter((t) => t.package_id === row.id).map((t) => t.tag) }));
  }

  /**
   * Each regex rule is evaluated once over all names (or versions) with a time limit. A rule that
   * does not finish cannot say what to keep, so the run deletes nothing and reports the error.
   */
  private evaluateRegexes(policy: CleanupPolicy, candidates: VersionCandidate[], errors: string[]): RegexMatches | null {
    const inputs = regexInputs(candidates);
    const matches: Partial<Record<(typeof REGEX_FIELDS)[number], ReadonlySet<string> | null>> = {};
    let aborted = false;
    for (const field of REGEX_FIELDS) {
      const source = policy[field];
      if (source === null) {
        matches[field] = null;
        continue;
      }
      try {
        matches[field] = matchingInputs(source, inputs[field], this.regexTimeLimitMs);
      } catch (error) {
        if (!(error instanceof RegexTimeoutError)) throw error;
        errors.push(`${field} aborted: ${error.message}; nothing was deleted`);
        aborted = true;
      }
    }
    return aborted ? null : (matches as RegexMatches);
  }

  /** Deletes one selected version unless it vanished or got a tag since the selection; true when deleted. */
  private async deleteOne(ctx: AuditContext, project: Project, selected: SelectedVersion): Promise<boolean> {
    const pkg = await this.db.selectFrom('packages').selectAll().where('id', '=', selected.candidate.id).executeTakeFirst();
    if (!pkg) return false;
    const tag = await this.db.selectFrom('package_tags').select('id').where('package_id', '=', pkg.id).executeTakeFirst();
    if (tag) return false;
    await this.packages.write(ctx, project, (writer) => writer.deleteVersion(pkg, `${pkg.format} package deleted by cleanup policy`, selected.reason));
    return true;
  }

  /** Legal holds outrank every rule: a held version is kept, and the run says which hold kept it. */
  private async withoutHeld(project: Project, selected: SelectedVersion[]): Promise<{ deletable: SelectedVersion[]; held: CleanupItem[] }> {
    const holds = await holdsCovering(this.db, selected.map((s) => ({ ...s.candidate, project_id: project.id })));
    const held = selected.filter((s) => holds.has(s.candidate.id)).map((s) => ({ ...itemOf(s), reason: `kept: ${describeHold(holds.get(s.candidate.id)!)}` }));
    return { deletable: selected.filter((s) => !holds.has(s.candidate.id)), held };
  }

  async run(policy: CleanupPolicy & { id: number }, project: Project, options: RunOptions): Promise<CleanupRunResult> {
    const started = performance.now();
    const startedAt = new Date();
    const errors: string[] = [];
    const candidates = await this.candidatesOf(project);
    const matches = this.evaluateRegexes(policy, candidates, errors);
    const selected = matches === null ? [] : selectVersionsToDelete(candidates, rulesOf(policy), matches, startedAt);
    const { deletable, held } = await this.withoutHeld(project, selected);
    const ctx = cleanupAuditContext(policy.id, project);
    const deleted: CleanupItem[] = [];
    const skipped: CleanupItem[] = [];
    if (!options.dryRun) {
      for (const version of deletable) {
        try {
          if (await this.deleteOne(ctx, project, version)) deleted.push(itemOf(version));
        } catch (error) {
          // A protected version is kept on purpose, not a failure of the run: the run event lists it.
          if (isProtectionRefusal(error)) skipped.push({ ...itemOf(version), reason: error.message });
          else errors.push(`${version.candidate.name}@${version.candidate.version}: ${(error as Error).message}`);
        }
      }
    }
    const result: CleanupRunResult = {
      policy_id: policy.id,
      dry_run: options.dryRun,
      trigger: options.trigger,
      versions_considered: candidates.length,
      selected: selected.map(itemOf),
      deleted,
      held,
      skipped,
      errors,
      duration_ms: Math.round(performance.now() - started),
    };
    // A dry run is a preview (a read): it deletes nothing and records nothing.
    if (!options.dryRun) await this.recordExecuted(ctx, policy, project, result, options);
    return result;
  }

  private async recordExecuted(ctx: AuditContext, policy: CleanupPolicy, project: Project, result: CleanupRunResult, options: RunOptions): Promise<void> {
    const heldNote = result.held.length > 0 ? `, ${result.held.length} kept by legal hold` : '';
    const counts = `deleted ${result.deleted.length} of ${result.selected.length} selected versions (${result.versions_considered} considered)${heldNote}`;
    const errorNote = result.errors.length > 0 ? `, ${result.errors.length} error(s)` : '';
    const skipNote = result.skipped.length > 0 ? `, kept ${result.skipped.length} protected: ${result.skipped.map((i) => `${i.name}@${i.version}`).join(', ')}` : '';
    const by = options.requestedBy ? ` requested by ${options.requestedBy.username}` : '';
    await this.audit.recordAlone(this.db, ctx, {
      eventName: 'package_registry_cleanup_policy_executed',
      outcome: result.errors.length > 0 ? 'failure' : 'success',
      reason: result.errors.length > 0 ? result.errors.join('; ') : undefined,
      scope: await loadProjectScope(this.db, project),
      project: { id: project.id, full_path: project.full_path },
      target: { id: policy.id, type: 'Packages::Cleanup::Policy', details: project.full_path },
      customMessage: `Packages cleanup policy ran (${options.trigger}${by}): ${counts} in ${result.duration_ms} ms${skipNote}${errorNote}`,
      changes: {
        trigger: { from: null, to: options.trigger },
        requested_by: { from: null, to: options.requestedBy ?? null },
        rules: { from: null, to: rulesOf(policy) },
        versions_considered: { from: null, to: result.versions_considered },
        versions_selected: { from: null, to: result.selected.length },
        versions_deleted: { from: null, to: result.deleted.length },
        versions_held: { from: null, to: result.held.map((h) => ({ id: h.id, name: h.name, version: h.version, hold: h.reason })) },
        versions_skipped: { from: null, to: result.skipped.map((i) => ({ id: i.id, name: i.name, version: i.version, reason: i.reason })) },
        errors: { from: null, to: result.errors },
        duration_ms: { from: null, to: result.duration_ms },
      },
    });
  }
}

import type { AccessReview, AccessReviewCompletion, AccessReviewEntry, AccessReviewSummary } from '../../contracts/access-review.js';
import type { MemberAccessLevel } from '../../contracts/members.js';
import type { Db } from '../../storage/db/database.js';
import type { Namespace } from '../accounts/namespaces.js';
import type { AuditedBy } from '../audit/audit-log.js';
import { listEvents } from '../audit/audit-query.js';
import { namespaceScope } from '../audit/audit-scope.js';
import type { AuditRecord } from '../audit/audit-types.js';
import type { AuditEventName } from '../audit/event-catalog.js';
import { effectiveAccess, loadReviewScope } from './effective-access.js';
import { loadGrants } from './grant-history.js';
import { STALE_AFTER_DAYS, writeCredentials } from './write-credentials.js';

// A group's access review (docs/api.md#access-review): a read of the members, the credentials and the
// member events, and `access_review_completed`, the audited statement that someone reviewed it.

/** The review of `group` as it stands now. */
export async function buildAccessReview(db: Db, group: Namespace): Promise<AccessReview> {
  const now = Date.now();
  const scope = await loadReviewScope(db, group);
  const entries = await effectiveAccess(db, scope);
  const grantOf = await loadGrants(db, scope);
  const access: AccessReviewEntry[] = entries.map((e) => ({
    project: { id: e.project.id, full_path: e.project.full_path },
    user: e.user,
    access_level: e.accessLevel as MemberAccessLevel,
    membership: e.source.type === 'project' ? 'direct' : 'inherited',
    inherited_from: e.inheritedFrom ? { id: e.inheritedFrom.id, full_path: e.inheritedFrom.full_path } : null,
    granted: grantOf(e.source, e.user.id, e.accessLevel),
    expires_at: e.expiresAt,
  }));
  const credentials = await writeCredentials(db, scope, entries, now);
  const summary: AccessReviewSummary = {
    members: new Set(access.map((a) => a.user.id)).size,
    access_entries: access.length,
    credentials: credentials.length,
    stale_credentials: credentials.filter((c) => c.stale).length,
  };
  return {
    group: { id: group.id, full_path: group.full_path },
    generated_at: new Date(now).toISOString(),
    stale_after_days: STALE_AFTER_DAYS,
    summary,
    access,
    credentials,
    last_completion: await lastCompletion(db, group),
  };
}

const COMPLETED: AuditEventName = 'access_review_completed';
const COUNTS = ['members', 'access_entries', 'credentials', 'stale_credentials'] as const;

function completionOf(record: AuditRecord): AccessReviewCompletion {
  const value = (field: string) => record.changes?.[field]?.to;
  return {
    event_id: record.id,
    completed_at: record.created_at,
    completed_by: record.actor,
    note: (value('note') as string | null | undefined) ?? null,
    members: Number(value('members') ?? 0),
    access_entries: Number(value('access_entries') ?? 0),
    credentials: Number(value('credentials') ?? 0),
    stale_credentials: Number(value('stale_credentials') ?? 0),
  };
}

export async function lastCompletion(db: Db, group: Namespace): Promise<AccessReviewCompletion | null> {
  const [event] = await listEvents(db, { kind: 'groups', groupIds: [group.id] }, { eventNames: [COMPLETED] }, { limit: 1 });
  return event ? completionOf(event) : null;
}

/**
 * Records that the caller reviewed the group's access as it is now: the counts of the review it
 * saw (computed again here, in the event's transaction) and their note.
 */
export async function completeAccessReview(db: Db, by: AuditedBy, group: Namespace, note: string | null): Promise<AccessReviewCompletion> {
  return db.transaction().execute(async (tx) => {
    const { summary } = await buildAccessReview(tx, group);
    const who = by.ctx.actor.username ?? 'unknown';
    const counts = `${summary.members} members (${summary.access_entries} project accesses), ${summary.credentials} credentials that can write, ${summary.stale_credentials} stale`;
    const record = await by.audit.recordNumbered(tx, by.ctx, {
      eventName: COMPLETED,
      scope: namespaceScope(group),
      target: { id: group.id, type: 'Group', details: group.full_path },
      customMessage: `Access review of ${group.full_path} completed by ${who}: ${counts}${note ? ` (note: ${note})` : ''}`,
      changes: {
        ...Object.fromEntries(COUNTS.map((field) => [field, { from: null, to: summary[field] }])),
        note: { from: null, to: note },
      },
    });
    if (!record) throw new Error(`${COMPLETED} was not recorded`);
    return completionOf(record);
  });
}

import type { AccessGrant } from '../../contracts/access-review.js';
import type { Db } from '../../storage/db/database.js';
import { filteredEvents } from '../audit/audit-query.js';
import type { AuditRecord } from '../audit/audit-types.js';
import type { MembershipSource, ReviewScope } from './effective-access.js';

// Since when, and by whom, a membership has its current level: read from the member events the log
// holds (members.ts records one with every change, where the membership is). A group's membership
// events are stored on the group without a project; a project's carry the project, wherever they
// are stored (a project moved in from another group keeps its history). The grant is the last
// member_added, or member_access_level_changed that changed the level, after the last
// member_removed; if its level is not the membership's level now (the membership is older than the
// log, or was changed without an event), the answer is "unknown" (null), never a guess.

const MEMBER_EVENTS = ['member_added', 'member_access_level_changed', 'member_removed'] as const;
/** Project ids per `in (...)` list: far below both databases' parameter limits. */
const CHUNK = 500;

export type MemberEvent = Pick<AuditRecord, 'id' | 'event_name' | 'created_at' | 'actor' | 'via' | 'entity_id' | 'details' | 'changes' | 'project'>;

export type GrantLookup = (source: MembershipSource, userId: number, accessLevel: number) => AccessGrant | null;

async function memberEvents(db: Db, scope: ReviewScope): Promise<MemberEvent[]> {
  const filters = { eventNames: [...MEMBER_EVENTS] };
  const groupIds = [...scope.ancestorIds, ...scope.subtreeIds];
  const queries = [filteredEvents(db, { kind: 'groups', groupIds }, filters).where('project_id', 'is', null)];
  const projectIds = scope.projects.map((p) => p.id);
  for (let i = 0; i < projectIds.length; i += CHUNK) {
    queries.push(filteredEvents(db, { kind: 'instance' }, filters).where('project_id', 'in', projectIds.slice(i, i + CHUNK)));
  }
  const events: MemberEvent[] = [];
  for (const query of queries) {
    for (const row of await query.select('record').execute()) events.push(JSON.parse(row.record) as MemberEvent);
  }
  return events.sort((a, b) => a.id - b.id);
}

/** A project membership's event names the project; a group membership's is stored on the group itself. */
function sourceOf(event: MemberEvent): MembershipSource {
  return event.project ? { type: 'project', id: event.project.id } : { type: 'namespace', id: event.entity_id };
}

function levelChange(event: MemberEvent): { from: unknown; to: unknown } | undefined {
  return event.changes?.access_level;
}

/** Grants from member events, oldest first (a pure function of the log: grant-history.test.ts). */
export function grantsFrom(events: readonly MemberEvent[]): GrantLookup {
  const grants = new Map<string, { level: number; grant: AccessGrant } | null>();
  for (const event of events) {
    if (event.details.target_id === null) continue;
    const source = sourceOf(event);
    const key = `${source.type}:${source.id}:${event.details.target_id}`;
    const change = levelChange(event);
    const name = event.event_name as (typeof MEMBER_EVENTS)[number];
    if (name === 'member_removed') grants.set(key, null);
    else if (name === 'member_added' || (change && change.from !== change.to)) {
      grants.set(key, {
        level: Number(change?.to),
        grant: { event_id: event.id, event_name: name, granted_at: event.created_at, granted_by: event.actor, via: event.via },
      });
    }
  }
  return (source, userId, accessLevel) => {
    const known = grants.get(`${source.type}:${source.id}:${userId}`);
    return known && known.level === accessLevel ? known.grant : null;
  };
}

/** The grant of every membership of the scope that the log knows about. */
export async function loadGrants(db: Db, scope: ReviewScope): Promise<GrantLookup> {
  return grantsFrom(await memberEvents(db, scope));
}
